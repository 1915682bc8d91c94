"""Live camera video and "who sees this" on the console (tools.py plugs them into the main window)."""
