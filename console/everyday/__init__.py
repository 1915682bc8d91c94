"""The everyday (城管) mode's console panels: case queue, case panel, intake form and dashboard.

Each panel takes its services in ``__init__`` and talks to the city only through them (design section 7).
"""
