"""Errors a user can cause, carried as catalog messages so each adapter shows them in the user's language.

Library code raises these; only the adapters (cli, console, handlers) turn them into text and exit codes.
"""

from __future__ import annotations

from bot import i18n


class Term(str):
    """A message parameter that is itself a catalog msgid (a status, a category): translated with the message."""


class UserError(Exception):
    """Bad input: `message` is a catalog msgid with `%(name)s` placeholders filled from `params`."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self, lang: str) -> str:
        params = {k: i18n.gettext(lang, v) if isinstance(v, Term) else v for k, v in self.params.items()}
        return i18n.gettext(lang, self.message, **params)


class DataError(Exception):
    """The knowledge base or rules are broken: each item names file, entry and field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems
