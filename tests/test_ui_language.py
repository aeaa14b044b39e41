"""What the terminal chat shows a Chinese or Russian user is in their language (QA findings)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from babel.messages.pofile import read_po

from bot import console
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def chat(store, lines: list[str], **kw) -> str:
    out = io.StringIO()
    assert console.run(store, Settings(), stdin=io.StringIO("".join(l + "\n" for l in lines)), stdout=out, **kw) == 0
    return out.getvalue()


def test_a_wrong_wizard_answer_is_explained_in_chinese(store):
    out = chat(store, ["/eligibility", "nonsense"], city="zhoushan", lang="zh", user_id=41)
    assert "Please choose" not in out
    assert "请" in out.split(console.RULE)[-1]


def test_a_wrong_number_in_the_wizard_is_explained_in_russian(store):
    out = chat(store, ["/eligibility", "7", "'-3"], city="urumqi", lang="ru", user_id=42)
    assert "Please" not in out


def _user_error_msgids() -> list[tuple[str, str]]:
    """(file, msgid) of every UserError raised with a literal message under bot/."""
    found = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "UserError" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "N_" and arg.args:
                    arg = arg.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((str(path.relative_to(ROOT)), arg.value))
    return found


def test_every_user_error_message_is_translated():
    for lang in ("zh", "ru"):
        with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f)
        missing = [f"{where}: {msgid}" for where, msgid in _user_error_msgids()
                   if not (catalog.get(msgid) and catalog.get(msgid).string)]
        assert not missing, f"{lang}: " + "\n".join(missing)


def test_a_group_question_names_only_what_its_buttons_offer(store):
    """Urumqi's 'which of these applies' must not list Hangzhou's red card or Zhoushan's recommendations."""
    out = chat(store, ["/eligibility", "Ничего из этого", "Ничего из этого", "'50"], city="urumqi", lang="ru", user_id=43)
    assert "смена работодателя без выезда из Китая" in out  # the situations question was reached
    assert "Ханчжоу" not in out and "Чжэцзян" not in out
    out = chat(store, ["/eligibility"], city="urumqi", lang="en", user_id=44)
    assert "national talent programme" in out  # a group whose members are all offered keeps its own wording


def test_the_topic_pages_read_as_chinese(store):
    out = chat(store, ["/menu", "3"], city="zhoushan", lang="zh", user_id=45)
    last = out.split(console.RULE)[-1]
    assert "请选择主题（第 1 页，共 2 页）" in last, last
    assert " (" not in last


def test_the_wizards_numbers_and_points_breakdown_read_as_chinese(store):
    # Zhoushan: no A-class route, none of the recognitions, basic conditions met, then "calculate it"
    lines = ["/eligibility", "7", "9", "1", "1"] + ["1"] * 12
    out = chat(store, lines, city="zhoushan", lang="zh", user_id=46)
    assert "您的国家标准积分" in out
    assert "请输入 0 至 120 之间的数字（岁）。" in out
    assert "待确认：" in out and "待确认： " not in out
    assert not [line for line in out.splitlines() if line.startswith("• ") and (" (" in line or "): " in line)]
