"""The eligibility engine: boundaries, each city's criteria, benefits and blockers, missing facts, summaries."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.assess import assess
from bot.errors import UserError
from bot.rules import load_rules

arts = lambda items: sorted(c["article"] for c in items)  # noqa: E731
PHD = {"highest_degree": "phd", "top500_university": True, "job_matches_field": True}


@pytest.mark.parametrize("age,met", [(40, True), (41, False), (18, True)])
def test_zhoushan_9_age_boundary(age, met):
    a = assess("zhoushan", dict(PHD, age=age))
    assert ("9" in arts(a.criteria)) is met


def test_the_explanation_shows_the_boundary_reading():
    a = assess("zhoushan", dict(PHD, age=40))
    assert "40 and under" in a.summary and "exactly on the line" in a.summary
    assert "40岁以下" in assess("zhoushan", dict(PHD, age=40), lang="zh").summary


@pytest.mark.parametrize("points,zhoushan,urumqi_a,urumqi_b", [(85, True, True, False), (84, False, False, True),
                                                               (60, False, False, True), (59, False, False, False)])
def test_points_boundaries(points, zhoushan, urumqi_a, urumqi_b):
    assert ("3.6" in arts(assess("zhoushan", {"points": points}).criteria)) is zhoushan
    u = assess("urumqi", {"points": points, "age": 50})
    assert u.recognized is urumqi_a
    assert ("1" in arts(u.benefits)) is (urumqi_a or urumqi_b)
    assert assess("hangzhou", {"points": points}).recognized is zhoushan


@pytest.mark.parametrize("age,b_class,z21", [(65, True, True), (66, False, True), (70, False, True), (71, False, False)])
def test_raised_age_limits(age, b_class, z21):
    """Urumqi 1 raises the B-class limit to 65, Zhoushan 21 to 70: both include the number."""
    assert ("1" in arts(assess("urumqi", {"b_class_special": True, "age": age}).benefits)) is b_class
    z = assess("zhoushan", {"intl_vocational_certificate": True, "good_credit": True, "age": age})
    assert ("21" in arts(z.benefits)) is z21
    assert "age" in assess("zhoushan", {"intl_vocational_certificate": True, "good_credit": True}).missing_facts


@pytest.mark.parametrize("usd,share,met", [(500000, 30, True), (499999, 30, False), (500000, 29.9, False)])
def test_zhoushan_10_investment_boundary(usd, share, met):
    assert ("10" in arts(assess("zhoushan", {"investment_usd": usd, "shareholding_percent": share}).criteria)) is met


@pytest.mark.parametrize("ratio,met", [(6, True), (5.99, False)])
def test_salary_ratio_boundary(ratio, met):
    z = assess("zhoushan", {"salary_ratio": ratio, "pays_income_tax": True})
    assert ("13" in arts(z.criteria)) is met
    u = assess("urumqi", {"salary_ratio": ratio, "years_working_in_city": 4, "months_resident_per_year": 6, "tax_ratio": 0.2})
    assert ("7" in arts(u.benefits)) is met


def test_zhoushan_criteria_and_benefits():
    a = assess("zhoushan", {"employer_kind": "little_giant", "senior_position": True, "good_credit": True})
    assert arts(a.criteria) == ["6"] and {"19", "23"} <= set(arts(a.benefits)) and a.max_permit_years == 5
    a = assess("zhoushan", {"employer_kind": "research_platform", "senior_position": True})
    assert arts(a.criteria) == ["5"] and "19" not in arts(a.benefits) and "good_credit" in a.missing_facts
    a = assess("zhoushan", {"holds_a_permit": True, "a_permit_region": "xinjiang"})
    assert not a.recognized
    a = assess("zhoushan", {"leads_city_science_project": True, "good_credit": True})
    assert arts(a.criteria) == ["11"] and "20" in arts(a.benefits) and a.max_permit_years is None


def test_zhoushan_blockers_and_an_unknown_one_does_not_block():
    for bad in ({"age": 17}, {"healthy": False}, {"no_criminal_record": False}, {"has_local_employer": False}):
        a = assess("zhoushan", dict({"foreign_expert_program": True, "good_credit": True}, **bad))
        assert arts(a.blocked_by) == ["15"] and not a.recognized and a.benefits == [] and arts(a.criteria) == ["8"]
    a = assess("zhoushan", {"foreign_expert_program": True, "age": 18})
    assert a.recognized and a.blocked_by == []
    assert {"healthy", "no_criminal_record", "has_local_employer"} <= set(a.missing_facts)


def test_urumqi_criteria_and_benefits():
    a = assess("urumqi", {"holds_a_permit": True, "a_permit_region": "xinjiang", "changing_employer_in_china": True})
    assert arts(a.criteria) == ["4"] and {"1", "3", "4", "10", "12", "20"} <= set(arts(a.benefits))
    a = assess("urumqi", {"postdoc_high_level": True, "age": 41})
    assert not a.recognized
    a = assess("urumqi", {"work_category": "B", "permanent_residence": True})
    assert "20" in arts(a.benefits) and not a.recognized
    a = assess("urumqi", {"renowned_institution_elsewhere": True, "in_free_trade_zone": True})
    assert {"5", "14"} <= set(arts(a.benefits)) and "15" not in arts(a.benefits)


def test_hangzhou_criteria_and_benefits():
    a = assess("hangzhou", {"recognized_by_bureau": True, "zhejiang_red_card": True})
    assert arts(a.criteria) == ["4"] and "5.4" not in arts(a.benefits) and "5.6" in arts(a.benefits)
    a = assess("hangzhou", {"holds_a_permit": True, "city_high_level_talent": True, "urban_district_contract": True,
                            "permanent_residence": True})
    assert "5.6" in arts(a.benefits)  # the housing subsidy, through permanent residence
    a = assess("hangzhou", {"innovation_entrepreneur": True})
    assert arts(a.criteria) == ["3"] and arts(a.benefits) == ["6"] and a.max_permit_years is None


def test_document_status_in_the_summary():
    assert "draft for comment" in assess("hangzhou", {}).summary
    before = assess("urumqi", {}, today=dt.date(2025, 1, 1))
    after = assess("urumqi", {}, today=dt.date(2026, 6, 18))
    assert not before.document_status["expired"] and after.document_status["expired"]
    assert "validity has ended" in after.summary and "validity has ended" not in before.summary


def test_summary_lists_citations_next_steps_and_nearest_miss():
    a = assess("zhoushan", {"age": 35, "highest_degree": "phd", "top500_university": True})
    assert not a.recognized and a.nearest_miss["article"] == "9"
    assert a.nearest_miss["facts"] == ["job_matches_field"]
    assert "art. 9" in a.summary
    a = assess("zhoushan", {"points": 90})
    assert [s["article"] for s in a.next_steps][:2] == ["24", "25"] and "art. 3(6)" in a.summary


def test_missing_facts_only_lists_what_can_change_the_result():
    a = assess("zhoushan", {"age": 41, "highest_degree": "master"})
    assert "top500_university" not in a.missing_facts and "points" in a.missing_facts
    a = assess("zhoushan", {"no_criminal_record": False})
    assert "good_credit" not in a.missing_facts  # blocked: no benefit can be granted


@pytest.mark.parametrize("profile,needle", [
    ({"agee": 3}, "agee"), ({"age": "35"}, "age"), ({"healthy": "yes"}, "healthy"), ({"age": 35.5}, "age"),
    ({"highest_degree": "doctor"}, "highest_degree"), ({"points": True}, "points"), ({"age": 500}, "age"),
])
def test_bad_profiles_name_the_fact(profile, needle):
    with pytest.raises(UserError) as exc:
        assess("zhoushan", profile)
    assert needle in exc.value.text("en")


def test_bad_city_and_non_object_profile():
    with pytest.raises(UserError):
        assess("beijing", {})
    with pytest.raises(UserError):
        assess("zhoushan", ["age", 3])


# ---------------------------------------------------------------- properties

def _profiles(full: bool = False):
    """Random profiles over every fact the rules read (all of them given when `full`)."""
    rs = load_rules()
    strategies = {}
    for f in rs.facts.values():
        if f.calculator:
            continue
        if f.type == "bool":
            s = st.booleans()
        elif f.type == "choice":
            s = st.sampled_from([v for v, _ in f.choices])
        elif f.type == "int":
            s = st.integers(int(f.min), int(min(f.max, 120)))
        else:
            near = {f.min, f.max, 0.19, 0.2, 2, 3.9, 4, 5.99, 6, 29.9, 30, 499999, 500000}
            s = st.sampled_from(sorted(v for v in near if f.min <= v <= f.max))
        strategies[f.name] = s
    return st.fixed_dictionaries(strategies) if full else st.fixed_dictionaries({}, optional=strategies)


def _criterion_bools(city):
    from bot.explain import _expand
    from bot.rules import facts_of

    rs = load_rules()
    return sorted({f for r in rs.cities[city].of_kind("criterion") for f in facts_of(_expand(rs, r.when))
                   if rs.facts[f].type == "bool"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.sampled_from(["zhoushan", "urumqi", "hangzhou"]), profile=_profiles(), data=st.data())
def test_answering_yes_to_a_criterion_fact_never_removes_recognition(city, profile, data):
    unknown = [f for f in _criterion_bools(city) if f not in profile]
    if not unknown:
        return
    fact = data.draw(st.sampled_from(unknown))
    before = assess(city, profile, with_summary=False).recognized
    assert assess(city, dict(profile, **{fact: True}), with_summary=False).recognized >= before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.sampled_from(["zhoushan", "urumqi", "hangzhou"]), profile=_profiles(), completion=_profiles())
def test_an_unknown_fact_never_yields_a_benefit_that_needs_it(city, profile, completion):
    """A benefit granted with facts unknown stays granted whatever those facts turn out to be."""
    rs = load_rules()
    a = assess(city, profile, with_summary=False)
    full = dict(completion, **profile)
    b = assess(city, full, with_summary=False)
    for r in rs.cities[city].of_kind("benefit"):
        if a.statuses[r.id] is True:
            assert b.statuses[r.id] is True, r.id


# ---- boundaries that go against the applicant are explained too, from the rules' data

@pytest.mark.parametrize("city,profile,en,zh", [
    ("zhoushan", dict(PHD, age=41), "'40岁以下' includes 40); at 41 you are over it", "要求“40岁以下”（含40岁）；您41岁，已超过"),
    ("zhoushan", {"points": 84}, "85 points or more ('85分以上' includes 85)", "计点积分为84分，尚未达到"),
    ("zhoushan", {"investment_usd": 499999, "shareholding_percent": 30}, "is 499,999 USD, below it", "不低于50万美元"),
    ("zhoushan", {"investment_usd": 500000, "shareholding_percent": 29.9}, "is 29.9%, below it", "持股“不低于30%”"),
    ("zhoushan", {"salary_ratio": 5.9, "pays_income_tax": True}, "is 5.9 times the local average, below it", "5.9倍"),
    ("zhoushan", {"intl_vocational_certificate": True, "good_credit": True, "age": 71},
     "art. 21 (age limit raised to 70", "放宽后的“70周岁”以内（含70岁）；您71岁，已超过"),
    ("urumqi", {"b_class_special": True, "age": 66}, "65 or under for B-class, the raised limit (65 included); at 66 you are over it",
     "您66岁，已超过"),
    ("urumqi", {"points": 59, "age": 50}, "60 points or more for B-class ('60分以上' includes 60)", "“60分以上”（含60分）"),
    ("zhoushan", {"age": 17}, "aged 18 or over ('年满18周岁': 18 itself counts); at 17 you are under it", "“年满18周岁”"),
])
def test_a_boundary_against_the_applicant_is_explained(city, profile, en, zh):
    assert en in assess(city, profile).summary
    assert zh in assess(city, profile, lang="zh").summary


def test_urumqi_7_names_each_threshold_missed():
    s = assess("urumqi", {"years_working_in_city": 3, "months_resident_per_year": 5, "salary_ratio": 5.9,
                          "tax_ratio": 0.19}).summary
    for part in ("is 3 years, below it", "is 5 months, below it", "is 5.9 times", "is 19%, below it"):
        assert part in s
    # one threshold missed: only that one is told
    s = assess("urumqi", {"years_working_in_city": 4, "months_resident_per_year": 6, "salary_ratio": 6,
                          "tax_ratio": 0.19}, lang="zh").summary
    assert "19%，尚未达到" in s and "个月，尚未达到" not in s


def test_a_boundary_in_favour_or_irrelevant_is_not_told_as_against():
    assert "Just outside" not in assess("zhoushan", dict(PHD, age=40)).summary
    assert "Just outside" not in assess("urumqi", {"points": 90, "age": 50}).summary  # top of the B band
    assert "art. 9" not in assess("zhoushan", {"age": 71, "intl_vocational_certificate": True}).summary


def test_the_nearest_miss_is_reachable_and_says_what_would_meet_it():
    a = assess("zhoushan", dict(PHD, age=41))
    assert a.nearest_miss["out_of_reach"]["article"] == "9" and a.nearest_miss["article"] != "9"
    assert "art. 9 is out of reach" in a.summary
    a = assess("urumqi", {"points": 84, "age": 50})
    assert a.nearest_miss["facts"] == ["points"] and "at least 85 (now 84)" in a.summary


def test_the_unknown_list_is_short_and_chinese_reads_as_chinese():
    a = assess("zhoushan", dict(PHD, age=41), lang="zh")
    assert len(a.missing_facts) > 5
    line = next(x for x in a.summary.splitlines() if x.startswith("尚不明确"))
    assert line.count("、") == 4 and ", " not in line and "/eligibility" in line
    assert "舟山第九条（" in a.summary and ": " not in a.summary
    assert "and 20 more" in assess("zhoushan", dict(PHD, age=41)).summary


def test_every_numeric_comparison_has_its_boundary_wording(tmp_path, monkeypatch):
    import shutil

    from bot import paths
    from bot.rules import check

    shutil.copytree(paths.rules_dir(), tmp_path / "rules")
    f = tmp_path / "rules" / "zhoushan.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace('"age <= 40": {zh:', '"age <= 41": {zh:'), encoding="utf-8")
    monkeypatch.setattr(paths, "rules_dir", lambda: tmp_path / "rules")
    monkeypatch.setattr("bot.rules.rules_dir", lambda: tmp_path / "rules")
    problems = check()
    assert any("rule c9: bounds: 'age <= 41' is not a numeric comparison" in p for p in problems)
    assert any('rule c9: bounds: no wording for "age <= 40"' in p for p in problems)
