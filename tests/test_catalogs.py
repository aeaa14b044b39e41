"""Every UI string is in the catalogs, translated into every shipped locale with the same placeholders."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_is_translated_in_every_shipped_locale():
    problems = _tool().problems()
    assert problems == [], "\n".join(problems[:50])


def test_template_is_not_stale(tmp_path, monkeypatch):
    """Extracting again finds no message that the committed messages.pot lacks."""
    from babel.messages.pofile import read_po

    tool = _tool()
    monkeypatch.setattr(tool, "POT", tmp_path / "fresh.pot")
    cwd = Path.cwd()
    try:
        tool.extract()
    finally:
        import os

        os.chdir(cwd)
    with (tmp_path / "fresh.pot").open("rb") as f:
        fresh = {m.id for m in read_po(f) if m.id}
    with (ROOT / "locales" / "messages.pot").open("rb") as f:
        committed = {m.id for m in read_po(f) if m.id}
    missing = sorted(str(m) for m in fresh - committed)
    assert not missing, f"run `python tools/catalogs.py all`; new messages: {missing[:20]}"


def test_a_catalog_translates_at_runtime():
    from bot import i18n

    msgid = "Setting %(name)s must be a whole number."
    zh = i18n.gettext("zh", msgid, name="PORT")
    ru = i18n.gettext("ru", msgid, name="PORT")
    assert "PORT" in zh and "PORT" in ru
    assert zh != i18n.gettext("en", msgid, name="PORT")
    assert ru != zh
