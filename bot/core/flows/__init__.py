"""The registry of conversation flows: FLOWS maps a flow's name (also its button-data prefix) to the flow.

Commands are declared by the flows themselves (`commands = ("eligibility",)`); COMMANDS is built from them.
The order below only matters for duplicate command names (the later flow wins): keep names unique.
"""

from __future__ import annotations

from bot.core.context import Flow
from bot.core.flows import ask, complaint, fallback, menu, settings, tickets, topics, wizard

_flows: list[Flow] = [menu.FLOW, settings.FLOW, ask.FLOW, topics.FLOW, wizard.FLOW, complaint.FLOW, tickets.FLOW]

FLOWS: dict[str, Flow] = {f.name: f for f in _flows}

COMMANDS: dict[str, str] = {cmd: f.name for f in _flows for cmd in getattr(f, "commands", ())}

FALLBACK = fallback
