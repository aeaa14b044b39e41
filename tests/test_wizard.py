"""The wizard core: questions, don't know, back, change, restart, invalid answers, points calculator."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.assess import assess
from bot.errors import UserError
from bot.wizard import (Question, Result, Wizard, wizard_answer, wizard_back, wizard_change, wizard_dont_know,
                        wizard_restart, wizard_start, wizard_step)
from bot.wizard_sim import simulate
from test_assess import _profiles  # tests/ is on sys.path (no package)


def _answer_until(state, fact, answers=()):
    """Answer "don't know" (or from `answers`) until the question on `fact` comes up."""
    answers = dict(answers)
    for _ in range(60):
        q = wizard_step(state)
        assert isinstance(q, Question), f"finished before asking {fact}"
        if q.fact == fact:
            return state, q
        state = wizard_answer(state, answers.get(q.fact, "don't know"))
    raise AssertionError(fact)


def test_state_is_json_and_a_question_has_everything_an_adapter_needs():
    state = wizard_start("zhoushan", "en")
    assert json.loads(json.dumps(state)) == state
    q = wizard_step(state)
    assert q.fact and q.text and q.help and q.type in ("bool", "int", "number", "choice")
    assert q.allow_dont_know and not q.can_go_back and q.progress["n"] == 1
    state = wizard_dont_know(state)
    q2 = wizard_step(state)
    assert q2.can_go_back and q2.fact != q.fact and q2.asked == 1


@pytest.mark.parametrize("lang,raw,msg", [("en", "maybe", "yes or no"), ("zh", "也许", "yes or no"),
                                           ("en", "two hundred", "number")])
def test_invalid_answers_keep_the_state(lang, raw, msg):
    state = wizard_start("zhoushan", lang)
    state, q = _answer_until(state, "basics" if msg == "yes or no" else "age")
    before = json.dumps(state, sort_keys=True)
    with pytest.raises(UserError) as exc:
        wizard_answer(state, raw)
    assert msg in exc.value.text("en")
    assert json.dumps(state, sort_keys=True) == before
    assert wizard_step(state).fact == q.fact


def test_answers_in_chinese_and_russian():
    state = wizard_start("zhoushan", "zh")
    state, _q = _answer_until(state, "age")
    state = wizard_answer(state, "三十五岁")
    assert state["facts"]["age"] == 35
    state, _q = _answer_until(wizard_start("zhoushan", "ru"), "basics")
    assert wizard_answer(state, "да")["facts"]["healthy"] is True
    state, _q = _answer_until(wizard_start("zhoushan", "zh"), "basics")
    assert "healthy" in wizard_answer(state, "不知道")["dk"]


def test_back_change_restart():
    state = wizard_start("zhoushan", "en")
    state, _q = _answer_until(state, "age")
    state = wizard_answer(state, "35")
    back = wizard_back(state)
    assert "age" not in back["facts"] and wizard_step(back).fact == "age"
    changed = wizard_change(state, "age")
    assert "age" not in changed["facts"] and wizard_step(changed).fact == "age"
    changed = wizard_answer(changed, "41")
    assert changed["facts"]["age"] == 41
    fresh = wizard_restart(state)
    assert fresh["facts"] == {} and fresh["city"] == "zhoushan"
    with pytest.raises(UserError):
        wizard_back(fresh)


def test_never_asks_a_question_that_can_no_longer_matter():
    state = wizard_start("zhoushan", "en")
    asked = []
    for _ in range(40):
        q = wizard_step(state)
        if isinstance(q, Result):
            break
        asked.append(q.fact)
        state = wizard_answer(state, {"age": "41", "highest_degree": "master"}.get(q.fact, "don't know"))
    assert "top500_university" not in asked and "job_matches_field" not in asked
    assert isinstance(q, Result) and q.assessment.missing_facts == []


def test_points_calculator_sub_flow():
    state, q = _answer_until(wizard_start("urumqi", "en"), "points")
    assert ("calc", "I don't know — calculate it") in q.choices
    state = wizard_answer(state, "calc")
    answers = {"annual_salary_10k": "50", "education_level": "PhD", "experience_years": "10", "months_in_china": "12",
               "chinese_level": "hsk3", "work_location": "western", "age": "35", "points_extra": "yes", "local_bonus": "0"}
    for _ in answers:
        q = wizard_step(state)
        assert q.kind == "calculator"
        state = wizard_answer(state, answers[q.fact])
    assert state["facts"]["points"] == 101
    q = wizard_step(state)
    assert "Total: 101 of 120 points." in q.note
    back = wizard_back(state)
    assert "points" not in back["facts"] and "annual_salary_10k" not in back["facts"]
    assert wizard_step(back).fact == "points"


def test_wizard_class_wraps_the_functions():
    w = Wizard("hangzhou", "en")
    q = w.step()
    assert isinstance(q, Question)
    assert isinstance(w.dont_know(), (Question, Result))


@pytest.mark.parametrize("city,profile", [
    ("zhoushan", {"age": 35, "highest_degree": "phd", "top500_university": True, "job_matches_field": True, "good_credit": True}),
    ("urumqi", {"age": 38, "postdoc_high_level": True, "in_free_trade_zone": True}),
    ("hangzhou", {"holds_a_permit": True, "zhejiang_red_card": True}),
])
def test_wizard_reaches_the_same_result_as_assessing_at_once(city, profile):
    n, result = simulate(city, profile)
    assert result.assessment.result_key() == assess(city, profile, with_summary=False).result_key()
    assert n <= 14


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.sampled_from(["zhoushan", "urumqi", "hangzhou"]), profile=_profiles())
def test_property_wizard_from_a_profile_matches_assessing_it(city, profile):
    _n, result = simulate(city, profile)
    assert result.assessment.result_key() == assess(city, profile, with_summary=False).result_key()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.sampled_from(["zhoushan", "urumqi", "hangzhou"]), profile=_profiles(full=True))
def test_property_wizard_from_a_full_profile_matches_assessing_it(city, profile):
    _n, result = simulate(city, profile)
    assert result.assessment.result_key() == assess(city, profile, with_summary=False).result_key()


def test_screening_group_one_several_and_none():
    state, q = _answer_until(wizard_start("zhoushan", "en"), "recognitions")
    assert q.kind == "group" and ("several", "Several of these") in q.choices
    one = wizard_answer(state, "nsfc_young_scientist_lead")
    assert one["facts"]["nsfc_young_scientist_lead"] is True and one["facts"]["holds_a_permit"] is False
    none = wizard_answer(state, "none")
    assert none["facts"]["nsfc_young_scientist_lead"] is False
    several = wizard_answer(state, "several")
    q = wizard_step(several)
    assert q.fact == "recognitions" and ("none", "None of the others") in q.choices
    number = 1 + [v for v, _ in q.choices].index("foreign_expert_program")
    several = wizard_answer(several, str(number))  # a typed choice number
    several = wizard_answer(several, "nsfc_young_scientist_lead")
    several = wizard_answer(several, "none")
    assert several["facts"]["foreign_expert_program"] is True and several["facts"]["nsfc_young_scientist_lead"] is True
    assert several["facts"]["holds_a_permit"] is False and wizard_step(several).fact != "recognitions"
    back = wizard_back(several)
    assert "holds_a_permit" not in back["facts"] and back["facts"]["foreign_expert_program"] is True
