"""Scope of answers: other places, declared gaps of a document, Cantonese -- on questions written for these tests."""

from __future__ import annotations

import pytest

from bot.answering import answer_question
from bot.textnorm import normalize


def cited(q, city, lang=None):
    a = answer_question(q, city=city, lang=lang)
    return a.sources[0]["article"] if a.answered else None


@pytest.mark.parametrize("q,city", [
    ("what are the talent card rules in shenzhen", "hangzhou"),
    ("广州对外籍人才有什么认定标准", "zhoushan"),
    ("北京的外国人永久居留政策", "urumqi"),
    ("is the work permit policy in chengdu the same", "urumqi"),
])
def test_a_question_about_another_place_says_what_is_covered(q, city):
    a = answer_question(q, city=city, lang="en")
    assert not a.answered and a.sources == []
    assert "Hangzhou, Zhoushan and Urumqi" in a.answer


@pytest.mark.parametrize("q,city", [
    ("my A-class permit was issued in jiangsu, now I'm changing to a zhoushan company, what do I skip", "zhoushan"),
    ("i got my A permit in korla, switching to an urumqi employer without leaving the country", "urumqi"),
    ("从宁波调来舟山工作的外籍工程师，工作许可可以给几年", "zhoushan"),
])
def test_a_place_a_permit_came_from_does_not_take_the_question_away(q, city):
    assert cited(q, city) is not None


@pytest.mark.parametrize("q,city,says", [
    ("which office interprets these measures if we disagree", "urumqi", "interpreting"),
    ("乌鲁木齐这个措施由谁解释", "urumqi", "解释"),
    ("is there a hotline to complain about the permit office", "urumqi", "hotline"),
])
def test_what_a_document_does_not_say_is_not_answered_from_a_neighbour(q, city, says):
    a = answer_question(q, city=city, lang="zh" if says == "解释" else "en")
    assert not a.answered
    assert says in a.answer


def test_cantonese_is_read_as_standard_chinese():
    assert normalize("佢喺度做嘢，有冇得唔得") == "他在度做嘢,有没有可以吗"
    assert cited("佢係外國人，喺杭州點樣申請信用卡", "hangzhou") == "5.4"
    assert cited("細路仔喺杭州讀幼稚園得唔得", "hangzhou") in ("5.2", "5")


@pytest.mark.parametrize("q,city,article", [
    # what the person GETS goes to the benefit article that names their criterion
    ("I'm 68 with an international welding certificate, how old can I be and still get a zhoushan work permit", "zhoushan", "21"),
    ("we invested 700k dollars in a zhoushan firm and own 35%, is a degree needed for his work permit", "zhoushan", "20"),
    ("A类证是在江苏办的，调到舟山工作，哪些材料可以免交", "zhoushan", "18"),
    # whether the person QUALIFIES stays with the criterion
    ("does an international welding certificate count as foreign talent in zhoushan", "zhoushan", "12"),
])
def test_criterion_or_benefit_by_what_the_question_asks(q, city, article):
    assert cited(q, city) == article


def test_articles_named_by_a_benefit_are_parsed():
    from bot.intent import referenced_articles

    assert referenced_articles("认定标准第十二、十三条的外籍人才") == ["12", "13"]
    assert referenced_articles("第二十八条") == ["28"]


@pytest.mark.parametrize("q,city", [
    ("how cold does it get in january, do i need a down jacket", "urumqi"),
    ("my parents want to visit me here as tourists next spring", "zhoushan"),
    ("外国驾照怎么换成中国驾照", "hangzhou"),
])
def test_an_unanswerable_question_lists_no_unrelated_articles(q, city):
    a = answer_question(q, city=city)
    assert not a.answered
    assert a.suggestions == []  # "close matches" that are not close only mislead
    assert "national rules" not in a.answer and "国家规定" not in a.answer  # no background note either


@pytest.mark.parametrize("q,city,doc", [
    ("乌鲁木齐给外国人才的租房有优惠吗", "zhoushan", "urumqi-facilitation"),
    ("does hangzhou let foreigners get a credit card with the A permit", "urumqi", "hangzhou-onecard"),
])
def test_a_question_naming_another_of_our_cities_points_to_that_citys_document(q, city, doc):
    from bot.answering import searcher

    result = searcher().search(q, city=city)
    assert not result.answered  # never answered from another city's document as if it were this one's
    assert result.elsewhere is not None and result.elsewhere.entry.doc_id == doc


@pytest.mark.parametrize("q", ["今天天气怎么样", "42", "how cold is it here in winter"])
def test_small_talk_is_not_sent_to_another_citys_document(q):
    from bot.answering import searcher

    result = searcher().search(q, city="zhoushan")
    assert not result.answered and result.elsewhere is None


@pytest.mark.parametrize("q,city", [
    ("天气怎么样", "hangzhou"),
    ("舟山哪家海鲜餐厅好吃", "zhoushan"),
    ("any good hiking near urumqi this weekend", "urumqi"),
    ("какая погода в Урумчи зимой", "urumqi"),
])
def test_everyday_small_talk_is_never_answered_from_a_policy(q, city):
    a = answer_question(q, city=city)
    assert not a.answered and a.sources == []


def test_an_everyday_word_in_a_policy_question_does_not_block_the_answer():
    assert cited("can I use the airport green channel for my work permit? A class talent", "urumqi") is not None
