"""The national points calculator: tiers, breakdown, categories and what the reference marks uncertain."""

from __future__ import annotations

import pytest

from bot.points import breakdown_text, calculate

FULL = {"annual_salary_10k": 50, "education_level": "phd", "experience_years": 10, "months_in_china": 12,
        "chinese_level": "hsk3", "work_location": "other", "age": 35, "points_extra": True, "local_bonus": 0}


def test_breakdown_per_factor():
    r = calculate(FULL)
    got = {f.id: f.points for f in r.factors}
    assert got == {"salary": 20, "education": 20, "experience": 13, "time_in_china": 15, "chinese": 3,
                   "location": 0, "age": 15, "extra": 5, "local": 0}
    assert r.total == 91 and r.category == "A" and r.complete and r.maximum == 120


@pytest.mark.parametrize("salary,points", [(45, 20), (44.9, 17), (35, 17), (25, 14), (15, 11), (7, 8), (5, 5), (4.9, 0)])
def test_salary_tiers(salary, points):
    assert next(f.points for f in calculate({"annual_salary_10k": salary}).factors if f.id == "salary") == points


@pytest.mark.parametrize("age,points", [(17, 0), (18, 10), (25, 10), (26, 15), (45, 15), (46, 10), (55, 10), (56, 5), (60, 5), (61, 0)])
def test_age_tiers_are_closed_ranges(age, points):
    assert next(f.points for f in calculate({"age": age}).factors if f.id == "age") == points


@pytest.mark.parametrize("years,points", [(0, 0), (1.9, 0), (2, 5), (3, 6), (17, 20), (40, 20)])
def test_experience(years, points):
    assert next(f.points for f in calculate({"experience_years": years}).factors if f.id == "experience") == points


BASE = dict(FULL, points_extra=False, chinese_level="none")  # 20+20+13+15+0+0+15+0+0 = 83


@pytest.mark.parametrize("changes,total,category", [
    ({"local_bonus": 2}, 85, "A"),                                   # 85分以上 includes 85
    ({"local_bonus": 1}, 84, "B"),
    ({"months_in_china": 0, "experience_years": 2}, 60, "B"),        # 83 - 15 - 8
    ({"months_in_china": 0, "experience_years": 1, "local_bonus": 4}, 59, None),
])
def test_categories_at_the_boundaries(changes, total, category):
    r = calculate(dict(BASE, **changes))
    assert (r.total, r.category) == (total, category)


def test_below_60_is_not_c_and_uncertain_factors_are_flagged():
    r = calculate({"age": 30})
    assert r.category is None and not r.complete and "annual_salary_10k" in r.unknown
    text = breakdown_text(r, "en")
    assert "does not by itself mean C-class" in text
    assert "No official list" in text  # work location is marked uncertain
    uncertain = {f.id for f in r.factors if f.uncertain}
    assert {"experience", "location", "extra", "local"} <= uncertain
