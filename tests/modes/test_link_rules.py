"""The rules the modes' link commands and the two kinds of replica share (modes/common): who a
command's actor acts for, and when a replica can catch up by replay rather than a bulk snapshot."""

from __future__ import annotations

import pytest

from comms.clone import Position
from comms.commands import CommandRefused
from comms.keys import Peer
from data.errors import InputError
from modes.common.clock import FixedClock
from modes.common.command_bus import CallContext
from nodes.state_commands import log_covers
from tests.modes.conftest import MONDAY_9


def context(scope: str | None) -> CallContext:
    role = f"district:{scope}" if scope else "console"
    return CallContext(
        tx=None, peer=Peer("caller", role), scope=scope, clock=FixedClock(MONDAY_9), node="centre"
    )


def test_a_city_wide_caller_acts_for_the_district_it_names_and_the_default_role_fills_in():
    ctx = context(None)
    assert ctx.acting_as({"as": "commander", "actor_district": "230103"}) == ("commander", "230103")
    assert ctx.acting_as({}, "operator") == ("operator", None)


def test_a_confined_caller_acts_for_its_own_district_only():
    ctx = context("230102")
    assert ctx.acting_as({"as": "operator"}) == ("operator", "230102")
    assert ctx.acting_as({"as": "operator", "actor_district": "230102"}) == ("operator", "230102")
    with pytest.raises(CommandRefused, match="caller acts for district 230102, not 230103"):
        ctx.acting_as({"as": "operator", "actor_district": "230103"})


def test_an_actor_without_a_role_is_bad_input():
    with pytest.raises(InputError, match="needs the acting role"):
        context(None).acting_as({"actor_district": "230102"}, None)


THERE = {"epoch": "e1", "seq": 500, "log": 100}  # the node's log holds updates 401..500


@pytest.mark.parametrize(
    ("have", "replay"),
    [
        (Position("e1", "", 400), True),  # the oldest position the log still continues
        (Position("e1", "", 500), True),  # up to date
        (Position("e1", "", 399), False),  # the log no longer reaches back far enough
        (Position("e1", "", 501), False),  # ahead of the node: not its history
        (Position("e2", "", 450), False),  # another epoch (the node's state was rebuilt)
        (Position("e1", "/alarm/", 450), False),  # a subtree is not the whole picture
        (None, False),  # an empty replica
    ],
)
def test_a_replica_replays_only_what_the_nodes_log_still_covers(have, replay):
    assert log_covers(have, THERE) is replay


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("layer.import", {"layer": "components", "file": "/etc/passwd"}),
        ("case.import", {"file": "/tmp/cases.csv", "map": "/tmp/map.json"}),
        ("departments.import", {"file": "/tmp/departments.csv"}),
        ("routing.import", {"file": "/tmp/routing.csv"}),
    ],
)
def test_a_node_refuses_an_import_from_a_linked_peer(command, args):
    """An import reads a file where the database is: only its holder (the local command line) applies
    it, never a console or district over a link, whose paths mean nothing there."""
    from modes.bus import build_bus

    for scope in (None, "230102"):
        with pytest.raises(CommandRefused, match="not by caller over a link"):
            build_bus().spec(command).handler(context(scope), dict(args))
