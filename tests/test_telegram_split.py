"""Long replies are split into valid Telegram messages at sentence boundaries (bot/handlers/split.py)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings, strategies as st

from bot.handlers.split import LIMIT, split_html


def visible(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^<>]*>", "", text)))


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(part: str) -> bool:
    p = _Balance()
    p.feed(part)
    p.close()
    return p.ok and not p.stack


def test_short_text_is_one_message():
    assert split_html("  <b>Hello</b> world.  ") == ["<b>Hello</b> world."]
    assert split_html("   ") == []


def test_cuts_at_sentence_ends_not_mid_sentence():
    sentence = "The residence permit takes about seven working days to issue. "
    text = sentence * 200
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= LIMIT
        assert part.endswith("issue.")
    assert visible("".join(parts)) == visible(text)


def test_chinese_sentences_cut_after_full_stop():
    text = "外国人才可以申请杭州人才码。" * 400
    parts = split_html(text, limit=1000)
    assert all(p.endswith("。") and len(p) <= 1000 for p in parts)
    assert "".join(parts) == text


def test_prefers_paragraph_breaks():
    para = ("Word " * 150).strip() + "."
    text = "\n\n".join([para] * 12)
    parts = split_html(text, limit=2000)
    assert all(p.endswith(".") for p in parts)
    assert all(not p.startswith("\n") for p in parts)


def test_open_tags_are_closed_and_reopened():
    text = "<b>" + "Bold sentence here. " * 300 + "</b> and <a href=\"https://example.org/x?a=1&amp;b=2\">" + "link text. " * 300 + "</a>"
    parts = split_html(text, limit=500)
    assert len(parts) > 10
    for part in parts:
        assert len(part) <= 500
        assert balanced(part), part
    assert any(p.startswith('<a href="https://example.org/x?a=1&amp;b=2">') for p in parts[1:])
    assert visible("".join(parts)) == visible(text)


def test_entities_never_broken():
    text = "Tom &amp; Jerry &lt;3 " * 400
    for part in split_html(text, limit=333):
        assert not re.search(r"&[#\w]*$", part) and not re.match(r"^[#\w]*;", part)
        assert html.unescape(part).count("&") == part.count("&amp;")


def test_text_without_any_break_is_cut_hard():
    text = "x" * 10000
    parts = split_html(text)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


_piece = st.sampled_from(["word ", "end. ", "句子。", "\n", "\n\n", "<b>", "</b>", "<i>", "</i>", "&amp;", "x" * 30, "<code>", "</code>"])


@settings(max_examples=80, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=400), st.integers(min_value=100, max_value=600))
def test_any_text_fits_and_keeps_its_words(pieces, limit):
    # build well-nested markup from the random pieces, at most three tags deep as in our replies: a part
    # must also hold the reopened tags, their closing tags and one unbreakable atom, which at Telegram's
    # real limit of 4,096 is never a constraint, but at a limit of 60 seven nested tags cannot fit
    out, stack = [], []
    for p in pieces:
        if p.startswith("</"):
            if stack and stack[-1] == p[2:-1]:
                out.append(p)
                stack.pop()
        elif p.startswith("<"):
            if len(stack) < 3:
                stack.append(p[1:-1])
                out.append(p)
        else:
            out.append(p)
    out += [f"</{t}>" for t in reversed(stack)]
    text = "".join(out)
    parts = split_html(text, limit=limit)
    for part in parts:
        assert len(part) <= limit
        assert balanced(part)
    assert visible("".join(parts)) == visible(text)
