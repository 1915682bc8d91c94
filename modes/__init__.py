"""Qt-free rules of the three modes and what they share (``modes.common``)."""
