"""Telegram: the adapter between the Bot API and the channel-free core (bot/core).

`build_application(settings, store, *, dialogue=None) -> telegram.ext.Application` (bot/handlers/app.py)
registers every handler in one place. Around it: convert.py (Update → Incoming), send.py (Replies →
messages), split.py (4,096-character parts), ratelimit.py (Telegram's flood limits), ordering.py
(concurrent users, ordered conversations), inline.py (inline mode), jobs.py (outbox, overdue tickets,
purge of processed update ids).
"""

from __future__ import annotations


def build_application(settings, store, **kw):
    from bot.handlers.app import build_application as build

    return build(settings, store, **kw)


__all__ = ["build_application"]
