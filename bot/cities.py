"""The three cities the assistant serves: their ids, in the order menus show them, and their names as catalog msgids.

One list for the whole program (command-line choices, knowledge validation, menus, complaint tickets), so
adding a city is one line here plus its data in knowledge/ and rules/.
"""

from __future__ import annotations

from bot.i18n import N_

CITY_NAMES: dict[str, str] = {"hangzhou": N_("Hangzhou"), "zhoushan": N_("Zhoushan"), "urumqi": N_("Urumqi")}
CITIES: tuple[str, ...] = tuple(CITY_NAMES)
