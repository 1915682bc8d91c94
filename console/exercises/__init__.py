"""Exercises in the console: the EXERCISE banner and map watermark every page carries while one is on,
the local console's driver of a running exercise, the exercise-records setting, and the drill
coordinator's controller page."""
