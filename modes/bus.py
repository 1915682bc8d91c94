"""Every mode's commands on one command bus: what a node serves, and what a local door applies."""

from __future__ import annotations

from functools import cache

from modes.civil_defence import link_commands as civil_defence_commands
from modes.common import cap_hooks, layer_import
from modes.common.command_bus import CommandBus, register_common
from modes.emergency import link_commands as emergency_commands
from modes.everyday import link_commands as everyday_commands
from modes.everyday import open311
from modes.exercises import link_commands as exercise_commands


def build_bus() -> CommandBus:
    bus = CommandBus()
    register_common(bus)
    layer_import.register(bus)
    cap_hooks.register(bus)  # the CAP alerts' hooks; each mode registers its alerts with its commands
    everyday_commands.register(bus)
    open311.register(bus)
    civil_defence_commands.register(bus)
    emergency_commands.register(bus)
    exercise_commands.register(bus)
    return bus


@cache
def city_bus() -> CommandBus:
    """The bus of this process (filled once, read-only afterwards)."""
    return build_bus()
