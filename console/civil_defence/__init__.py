"""The civil air defence (人防) page of the console: alarm control with the per-district acknowledgement
board, siren coverage, shelters and the evacuation plan, and the summary strip above them."""
