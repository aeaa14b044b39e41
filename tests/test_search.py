"""Retrieval on questions written for these tests (not the evaluation set's), in Chinese and English."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering import answer_question
from bot.textnorm import detect_lang, normalize


def cited(q, city, lang=None):
    a = answer_question(q, city=city, lang=lang)
    return a.sources[0]["article"] if a.answered else None


@pytest.mark.parametrize("q,city,article", [
    ("外国人在杭州可以办信用卡吗", "hangzhou", "5.4"),
    ("can my daughter attend a public primary school in hangzhou", "hangzhou", "5.2"),
    ("乌鲁木齐的外国人能申请永久居留吗", "urumqi", "7"),
    ("how many working days does urumqi take for an A class work permit now", "urumqi", "12"),
    ("舟山认定办法什么时候开始实施", "zhoushan", "26"),
])
def test_answers_cite_the_right_article(q, city, article):
    assert cited(q, city) == article


def test_traditional_characters_and_typos_and_synonyms():
    assert cited("烏魯木齊的外國人可以繳住房公積金嗎", "urumqi") == "20"  # Traditional
    assert cited("is there a hotlne to complain about the one card servce", "hangzhou") == "7.5"  # typos
    assert cited("乌市外国人拿绿卡要满足什么条件", "urumqi") == "7"  # 绿卡 = permanent residence


def test_city_prior_never_answers_from_another_city():
    a = answer_question("can I get a credit card as a foreign expert", city="urumqi", lang="en")
    assert not a.answered and a.sources == []
    assert "Hangzhou" in a.answer  # names the document that covers it


@pytest.mark.parametrize("q,city", [
    ("what is the best hotpot restaurant near the station", "urumqi"),
    ("杭州明天会下雨吗", "hangzhou"),
    ("how do I pay my phone bill", "zhoushan"),
])
def test_out_of_scope_abstains(q, city):
    a = answer_question(q, city=city)
    assert not a.answered and a.sources == []
    assert "/complaint" in a.answer


def test_prefers_the_item_over_its_article():
    assert cited("杭州外籍人员子女学校有几所", "hangzhou") == "5.2"


def test_normalisation_and_language():
    assert normalize("ＡＢＣ　烏魯木齊\x00") == "abc 乌鲁木齐"
    assert detect_lang("杭州 A类 work permit 一般批几年") == "zh"
    assert detect_lang("what is the hangzhou one card") == "en"
    assert detect_lang("какие документы нужны") == "ru"


def test_rendering_in_three_languages_with_status_notes():
    draft = answer_question("外国人在杭州可以办信用卡吗", city="hangzhou", lang="en")
    assert "draft for comment" in draft.answer and "Article 5(4)" in draft.answer
    zh = answer_question("外国人在杭州可以办信用卡吗", city="hangzhou", lang="zh")
    assert "第五条" in zh.answer
    lapsed = answer_question("urumqi public school for my kid", city="urumqi", lang="en", today=dt.date(2026, 7, 1))
    assert "ended on" in lapsed.answer
    in_force = answer_question("urumqi public school for my kid", city="urumqi", lang="en", today=dt.date(2025, 7, 1))
    assert "ended on" not in in_force.answer
    ru = answer_question("urumqi public school for my kid", city="urumqi", lang="ru")
    assert ru.lang == "ru" and ru.sources and "Мера 19" in ru.answer  # Russian users get Russian citations


@pytest.mark.parametrize("q,city,article", [
    # when a text takes effect: the article stating the date, not the notice that only carries its issue date
    ("舟山这个认定办法是从哪一天开始执行的", "zhoushan", "26"),
    ("on what date did the zhoushan measures come into force", "zhoushan", "26"),
    ("乌鲁木齐便利化措施是哪天起施行的", "urumqi", "final"),
    ("when does the hangzhou one card rule take effect", "hangzhou", "8"),
    # who issued it stays with the notice
    ("舟山外籍人才认定办法是哪个单位印发的", "zhoushan", "notice"),
    # rules that will change over time, not their purpose
    ("will zhoushan amend the talent criteria later as the ftz grows", "zhoushan", "27"),
    # the decision after acceptance, not the handing-in of paper documents
    ("窗口受理纸质材料以后，审批结果几天能出来", "hangzhou", "6.4"),
    ("where do we drop off the paper documents after the pre-check passes", "hangzhou", "6.3"),
])
def test_siblings_are_told_apart(q, city, article):
    assert cited(q, city) == article


def test_a_swapped_letter_is_read_as_the_word():
    assert cited("how many days is the online pre-reveiw for the one card", "hangzhou") == "6.2"
