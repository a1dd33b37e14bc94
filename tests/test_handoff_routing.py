"""Routing: skills, opening hours in Asia/Tokyo with Japanese holidays, the configuration
file, and what the person hears when nobody is on duty."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import test_handoff_support as support
from test_handoff_support import Clock, RecordingBridge, add_people, context

from bot.paths import flows_dir
from bot.yamldata import DataError
from handoff.config import HandoffConfig, load_config
from handoff.routing import TOKYO, Hours, OrgProfile, Skills, parse_span, route
from handoff.staff import StaffDirectory

# Fixtures shared by the handoff tests.
bridge, clock, make_service, staff = (
    support.bridge,
    support.clock,
    support.make_service,
    support.staff,
)


EXAMPLE = flows_dir() / "handoff.example.yaml"


def tokyo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


EVENINGS = Hours(weekly={d: (parse_span("16:00-21:00"),) for d in range(5)})
NIGHTS = Hours(weekly={2: (parse_span("22:00-02:00"),)}, holidays="weekly")


def test_weekly_hours_and_spans_past_midnight() -> None:
    assert EVENINGS.is_open(tokyo(2026, 11, 25, 16, 0))
    assert not EVENINGS.is_open(tokyo(2026, 11, 25, 21, 0))
    assert not EVENINGS.is_open(tokyo(2026, 11, 28, 17, 0))  # Saturday
    assert NIGHTS.is_open(tokyo(2026, 11, 26, 1, 59))  # Wednesday's night, into Thursday
    assert not NIGHTS.is_open(tokyo(2026, 11, 26, 2, 0))
    assert parse_span("10:00-24:00") == (600, 1440)
    with pytest.raises(ValueError):
        parse_span("25:00-26:00")


def test_holidays_closed_dates_and_special_dates() -> None:
    # 2026-11-23 (Mon) is 勤労感謝の日.
    assert not EVENINGS.is_open(tokyo(2026, 11, 23, 17, 0))
    on_holidays = Hours(weekly=EVENINGS.weekly, holidays=(parse_span("10:00-12:00"),))
    assert on_holidays.is_open(tokyo(2026, 11, 23, 11, 0))
    assert not on_holidays.is_open(tokyo(2026, 11, 23, 17, 0))
    special = Hours(
        weekly=EVENINGS.weekly,
        closed_dates=frozenset({date(2026, 11, 25)}),
        special_dates={date(2026, 11, 28): (parse_span("09:00-10:00"),)},
    )
    assert not special.is_open(tokyo(2026, 11, 25, 17, 0))
    assert special.is_open(tokyo(2026, 11, 28, 9, 30))


def test_next_open_skips_nights_weekends_and_the_new_year() -> None:
    assert EVENINGS.next_open(tokyo(2026, 11, 25, 3, 0)) == tokyo(2026, 11, 25, 16, 0)
    assert EVENINGS.next_open(tokyo(2026, 11, 27, 22, 0)) == tokyo(2026, 11, 30, 16, 0)
    assert EVENINGS.next_open(tokyo(2026, 11, 25, 17, 0)) == tokyo(2026, 11, 25, 17, 0)
    # 2027-01-01 (Fri) is a holiday: the next weekday evening is Monday the 4th.
    assert EVENINGS.next_open(tokyo(2026, 12, 31, 22, 0)) == tokyo(2027, 1, 4, 16, 0)
    assert Hours(weekly={}).next_open(tokyo(2026, 11, 25, 3, 0)) is None


def test_route_by_skills_and_hours() -> None:
    profiles = [
        OrgProfile("anyone"),
        OrgProfile("kodomo", skills=Skills(age_groups=frozenset({"child"})), hours=EVENINGS),
        OrgProfile("tagengo", skills=Skills(languages=frozenset({"en", "vi"}))),
    ]
    evening = tokyo(2026, 11, 25, 17, 0)
    night = tokyo(2026, 11, 25, 23, 0)

    child = route(profiles, evening, category="school", lang="ja", age_group="child")
    adult = route(profiles, evening, category="school", lang="ja", age_group="adult")
    vietnamese = route(profiles, night, category=None, lang="vi", age_group=None)
    child_at_night = route(profiles[1:2], night, category=None, lang="ja", age_group="child")

    assert child.open_orgs == ("anyone", "kodomo")
    assert adult.open_orgs == ("anyone",)
    assert vietnamese.open_orgs == ("anyone", "tagengo")
    assert child_at_night.open_orgs == () and child_at_night.next_open == tokyo(2026, 11, 26, 16)


def test_the_example_configuration_loads() -> None:
    config = load_config(EXAMPLE)
    assert set(config.orgs) == {
        "tsunagari-line",
        "kodomo-line",
        "tagengo-line",
        "josei-line",
        "gender-line",
    }
    assert config.orgs["tsunagari-line"].hours is None
    assert config.orgs["kodomo-line"].max_per_counsellor == 2  # from defaults
    assert config.orgs["tagengo-line"].max_per_counsellor == 1
    assert config.orgs["josei-line"].is_open(tokyo(2026, 11, 26, 1, 0))
    assert {c.id for c in config.canned_for("kodomo-line")} >= {"greeting", "child_greeting"}
    assert "child_greeting" not in {c.id for c in config.canned_for("josei-line")}
    assert load_config(None) == HandoffConfig()


def test_configuration_errors_point_at_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "handoff.yaml"
    bad.write_text(
        "version: 1\n"
        "organisations:\n"
        "  - id: npo\n"
        "    skills:\n"
        "      categories: [loneliness, astrology]\n"
        "  - id: night\n"
        "    hours:\n"
        "      weekly:\n"
        "        mon: ['9:00-18:00']\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as raised:
        load_config(bad)
    assert f"{bad}:9:" in str(raised.value)  # the badly written time

    bad.write_text(
        "organisations:\n  - id: npo\n    skills:\n      categories: [loneliness, astrology]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"handoff.yaml:4: unknown categories \['astrology'\]"):
        load_config(bad)


async def test_closed_at_night_goes_elsewhere(
    make_service,
    staff: StaffDirectory,  # type: ignore[no-untyped-def]
    clock: Clock,
    bridge: RecordingBridge,
) -> None:
    service = make_service(
        HandoffConfig(
            orgs={
                "kodomo": OrgProfile(
                    "kodomo", skills=Skills(age_groups=frozenset({"child"})), hours=EVENINGS
                ),
                "allnight": OrgProfile("allnight"),
            }
        )
    )
    [kana] = await add_people(staff, "kodomo", "kana")
    [nao] = await add_people(staff, "allnight", "nao")
    clock.set(tokyo(2026, 11, 25, 23, 30))

    ticket = await service.request("c1", "line", context(age_group="child"))

    assert ticket.status == "waiting" and ticket.orgs == ("allnight",)
    assert [w["id"] for w in await service.waiting_for(nao)] == [ticket.id]
    assert await service.waiting_for(kana) == []


async def test_nobody_on_duty_says_when_and_takes_a_message(
    make_service,
    staff: StaffDirectory,
    clock: Clock,  # type: ignore[no-untyped-def]
    bridge: RecordingBridge,
) -> None:
    service = make_service(HandoffConfig(orgs={"kodomo": OrgProfile("kodomo", hours=EVENINGS)}))
    [kana] = await add_people(staff, "kodomo", "kana")
    clock.set(tokyo(2026, 11, 25, 23, 30))

    ticket = await service.request("c1", "line", context(age_group="child"))

    assert ticket.status == "no_one_on_duty"
    assert ticket.next_open == "2026-11-26T16:00:00+09:00"
    assert bridge.last("c1").kind == "no_one_on_duty"
    assert bridge.last("c1").params == {"next_open": "2026-11-26T16:00:00+09:00"}
    assert await service.waiting_for(kana) == []

    left = await service.leave_message("c1", "明日、話を聞いてほしいです")
    assert left is not None and left.mode == "message" and left.status == "waiting"
    assert await service.leave_message("c1", "もう一度") is None

    clock.set(tokyo(2026, 11, 26, 16, 5))
    [waiting] = await service.waiting_for(kana)
    assert waiting["mode"] == "message"
    await service.claim(ticket.id, kana)
    await service.send(ticket.id, kana, "メッセージありがとう。読みました。")
    assert bridge.kinds("c1") == ["no_one_on_duty", "claimed", "message"]
    said = [e.text for e in await service.messages(ticket.id, kana) if e.role == "person"]
    assert said == ["明日、話を聞いてほしいです"]


async def test_no_organisation_at_all_means_no_one_on_duty(
    make_service, bridge: RecordingBridge
) -> None:  # type: ignore[no-untyped-def]
    service = make_service()
    ticket = await service.request("c1", "web", context())
    assert ticket.status == "no_one_on_duty" and ticket.next_open is None
    assert await service.cancel("c1")
    assert bridge.kinds("c1") == ["no_one_on_duty", "cancelled"]


async def test_high_risk_at_night_goes_to_a_coordinator_on_duty(
    make_service, staff: StaffDirectory, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    service = make_service(HandoffConfig(orgs={"kodomo": OrgProfile("kodomo", hours=EVENINGS)}))
    await add_people(staff, "kodomo", "kana")
    [coord] = await add_people(staff, "platform", "coord", role="coordinator")
    clock.set(tokyo(2026, 11, 25, 23, 30))
    await service.heartbeat(coord)

    ticket = await service.request("c1", "line", context(risk="high"))

    assert ticket.status == "waiting" and ticket.orgs == ("@coordinator",)
    await service.claim(ticket.id, coord)


async def test_waiting_conversations_follow_opening_hours(
    make_service, staff: StaffDirectory, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    service = make_service(
        HandoffConfig(
            orgs={
                "kodomo": OrgProfile(
                    "kodomo", skills=Skills(age_groups=frozenset({"child"})), hours=EVENINGS
                ),
                "allday": OrgProfile("allday"),
            }
        )
    )
    [kana] = await add_people(staff, "kodomo", "kana")
    [ami] = await add_people(staff, "allday", "ami")
    clock.set(tokyo(2026, 11, 25, 15, 55))
    ticket = await service.request("c1", "line", context(age_group="child"))
    assert ticket.orgs == ("allday",)

    clock.set(tokyo(2026, 11, 25, 16, 1))
    await service.tick()

    assert [w["id"] for w in await service.waiting_for(kana)] == [ticket.id]
    assert [w["id"] for w in await service.waiting_for(ami)] == [ticket.id]
