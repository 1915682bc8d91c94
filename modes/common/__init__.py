"""What the three modes share: clock, changes record, journal access, mode switch."""
