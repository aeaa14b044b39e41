"""Handle updates of different users at the same time, but each user's updates one after another.

python-telegram-bot either handles updates strictly one at a time (slow under load: each waits for the
database and the Bot API) or all at once (then two quick taps of one user could be handled out of order
and race on the chat state). This processor keeps one lock per (chat, user): concurrency across users,
order within a conversation.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def conversation_key(update: object) -> tuple[int, int] | None:
    """Whose conversation an update belongs to: (chat id, user id); None for updates of no one."""
    if not isinstance(update, Update):
        return None
    user = update.effective_user
    chat = update.effective_chat
    if user is None and chat is None:
        return None
    return (chat.id if chat else user.id, user.id if user else 0)


class PerChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64):
        super().__init__(max_concurrent_updates)
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._waiting: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        key = conversation_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued for this conversation: forget its lock
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
