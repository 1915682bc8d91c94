"""The city map: a pyqtgraph view with a few big layers (cells, boundaries, points, wedges, labels)."""
