"""The ranking is explainable, keeps entries that are not for the person out, and puts what
is open (and 24-hour lines) first at night."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalog import TOKYO, Catalog
from bot.results import POINTS, Need, rank, services_for_categories

AFTERNOON = dt.datetime(2026, 11, 18, 15, 0, tzinfo=TOKYO)  # a Wednesday
NIGHT = dt.datetime(2026, 11, 19, 2, 30, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_every_point_has_a_named_reason(catalog: Catalog) -> None:
    for r in rank(catalog.entries, Need(("loneliness",), "adult", "chat"), AFTERNOON):
        assert r.score == sum(points for _, points in r.reasons)
        assert all(POINTS[name] == points for name, points in r.reasons)
        assert ("category", POINTS["category"]) in r.reasons


def test_children_get_childrens_lines_first_and_adults_never_get_them(catalog: Catalog) -> None:
    child = rank(catalog.entries, Need(("school",), "child", "phone"), AFTERNOON)
    assert child[0].entry.for_children
    adult = rank(catalog.entries, Need(("school",), "adult", "any"), AFTERNOON)
    assert not any(r.entry.for_children for r in adult)


def test_late_at_night_open_lines_come_first(catalog: Catalog) -> None:
    ranked = rank(catalog.entries, Need(("suicidal",), "young", "any"), NIGHT)
    assert ranked[0].entry.hours.is_open(NIGHT)
    opens = [r.entry.hours.is_open(NIGHT) for r in ranked]
    assert opens == sorted(opens, key=lambda o: o is not True)


def test_one_card_per_phone_number(catalog: Catalog) -> None:
    ranked = rank(catalog.entries, Need(("suicidal",), "adult", "phone"), AFTERNOON)
    firsts = [r.entry.phones()[0].value for r in ranked if r.entry.phones()]
    assert len(firsts) == len(set(firsts))


def test_typed_categories_map_to_catalogue_ids(catalog: Catalog) -> None:
    ids = services_for_categories(catalog, ["housing", "money"], AFTERNOON)
    assert "jukyo_kakuho_kyufukin" in ids
    assert services_for_categories(catalog, []) == []
