"""Errors the data layer raises for bad input; each message names the problem for a person to fix."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user or a file: unknown code, malformed row, invalid geometry, and so on."""


class NotFound(InputError):
    """A code or id that does not exist."""


class OutsideCity(InputError):
    """A point that falls in no grid cell of the city."""


class CityExists(InputError):
    """Seeding into a database that already holds a city."""


class NoCity(InputError):
    """The database holds no city yet."""
