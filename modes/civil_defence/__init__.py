"""Wartime civil air defence rules (alarms, sirens, shelters, evacuation). Qt-free."""
