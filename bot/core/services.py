"""What flows need beyond the chat state, reached lazily so a flow only pays for what it uses.

`Services(store, settings)`: the store (chat state, feedback, complaints' tables), the settings, and the
knowledge base, question answering, eligibility wizard and complaint queue, each imported on first use.
"""

from __future__ import annotations

from functools import cached_property
from types import ModuleType


class Services:
    def __init__(self, store, settings=None):
        from bot.settings import Settings

        self.store = store
        self.settings = settings or Settings()

    @cached_property
    def knowledge(self):
        """bot.knowledge.KnowledgeBase (documents, entries by (doc, article), by city, by topic)."""
        from bot.knowledge import load_knowledge

        return load_knowledge()

    @cached_property
    def answering(self) -> ModuleType:
        """bot.answering: answer_question(q, city=None, lang=None) -> Answer."""
        import bot.answering

        return bot.answering

    def warm_up(self) -> None:
        """Build now what the first question would otherwise build while every chat waits (~0.2 s:
        the search index, templates, catalogs): for long-running adapters, at start."""
        self.answering.warm_up()  # one answered and one unanswered question per language: zhconv, templates, catalogs

    def answer(self, question: str, city: str | None, lang: str | None):
        return self.answering.answer_question(question, city=city, lang=lang)

    @cached_property
    def wizard(self) -> ModuleType:
        """bot.wizard: wizard_start / wizard_step / wizard_answer / wizard_dont_know / wizard_back / …"""
        import bot.wizard

        return bot.wizard

    @cached_property
    def complaints(self):
        """bot.complaints.Complaints(store, settings): the hotline queue."""
        from bot.complaints import Complaints

        return Complaints(self.store, self.settings)
