"""What an exercise needs to know of the modes it plays into, in one place: the incident types an
``incident`` inject may name. (The exercises package drives the modes through the command bus; it
reads their vocabularies, never their rules.)"""

from __future__ import annotations

from data.errors import InputError
from modes.emergency.types import incident_type
from modes.everyday.cases import Channel

CHANNELS = tuple(c.value for c in Channel)  # the six channels a report inject may come in by


def incident_type_known(code: str) -> str | None:
    """None when ``code`` names an incident type, else the reason it does not."""
    try:
        incident_type(code)
    except InputError as exc:
        return str(exc)
    return None
