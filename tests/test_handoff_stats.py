"""Statistics on a known day of requests, as the #9999 reports count them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime

import test_handoff_support as support
from redis.asyncio import Redis
from test_handoff_support import Clock, add_people, context, good_record

from handoff.cli import stats_async
from handoff.config import HandoffConfig
from handoff.routing import TOKYO, OrgProfile, Skills
from handoff.service import HandoffService, TransferTarget
from handoff.staff import StaffDirectory
from handoff.stats import compute_stats, nearest_rank

# Fixtures shared by the handoff tests.
bridge, clock, make_service, staff = (
    support.bridge,
    support.clock,
    support.make_service,
    support.staff,
)


def at(clock: Clock, hour: int, minute: int = 0, second: int = 0, day: int = 25) -> None:
    clock.set(datetime(2026, 11, day, hour, minute, second, tzinfo=TOKYO))


async def play_a_day(
    make_service: Callable[..., HandoffService], staff: StaffDirectory, clock: Clock
) -> HandoffService:
    """Six requests on 2026-11-25, one the day before (claimed on the 25th)."""
    service = make_service(
        HandoffConfig(
            orgs={
                "npo": OrgProfile("npo", skills=Skills(languages=frozenset({"ja", "vi"}))),
            }
        )
    )

    at(clock, 23, 50, day=24)
    await add_people(staff, "npo", "alice", "bob")
    alice, bob = [await staff.counsellor(x) for x in ("alice", "bob")]
    [coord] = await add_people(staff, "platform", "coord", role="coordinator")
    assert alice and bob
    yesterday = await service.request("y", "line", context())
    at(clock, 0, 5)
    await service.claim(yesterday.id, bob)
    await service.close(yesterday.id, bob, good_record())

    at(clock, 9)  # in English: no organisation takes it
    assert (await service.request("r0", "line", context(lang="en"))).status == "no_one_on_duty"

    at(clock, 10)
    r1 = await service.request("r1", "line", context())
    at(clock, 10, 2)
    await service.claim(r1.id, alice)
    at(clock, 10, 5)
    await service.request("r2", "web", context(category="money"))
    at(clock, 10, 10)
    assert await service.cancel("r2")
    at(clock, 10, 32)
    await service.close(r1.id, alice, good_record(referrals=["yorisoi"]))

    at(clock, 11)
    r3 = await service.request(
        "r3",
        "line",
        context(category="suicidal", age_group="child", risk="high", risk_reasons=["plan"]),
    )
    at(clock, 11, 1)
    await service.claim(r3.id, bob)
    await service.transfer(r3.id, bob, TransferTarget("coordinator"), note="119 を検討")
    at(clock, 11, 3)
    await service.claim(r3.id, coord)
    at(clock, 11, 43)
    await service.close(
        r3.id,
        coord,
        good_record(
            topics=["suicidal"],
            urgency="emergency",
            risk_flags=["suicide_plan"],
            escalation={"to": "119", "basis": "life_at_risk"},
        ),
    )

    at(clock, 12)
    await service.request("r4", "line", context(lang="vi"))
    at(clock, 12, 20)
    await service.forget("r4")

    at(clock, 13)
    r5 = await service.request("r5", "web", context())
    at(clock, 13, 10)
    await service.claim(r5.id, alice)
    await service.release(r5.id, alice)
    at(clock, 13, 12)
    await service.claim(r5.id, bob)
    at(clock, 13, 42)
    await service.close(r5.id, bob, good_record(referrals=["市の福祉課", "yorisoi"]))
    return service


async def test_a_known_day(
    make_service: Callable[..., HandoffService],
    staff: StaffDirectory,
    clock: Clock,
    redis_client: Redis,
) -> None:
    await play_a_day(make_service, staff, clock)
    start = datetime(2026, 11, 25, tzinfo=TOKYO).timestamp()

    stats = await compute_stats(redis_client, start, start + 86400)

    assert stats["requests"] == 6  # r0..r5, not yesterday's
    assert stats["connected"] == 3  # r1, r3, r5 (r5 counted once though claimed twice)
    assert stats["response_rate"] == 50.0
    assert stats["waits"] == {"count": 3, "median_seconds": 120.0, "p90_seconds": 600.0}
    assert stats["abandoned"] == 2
    assert stats["abandoned_by_reason"] == {"cancelled": 1, "unfollowed": 1}
    assert stats["no_one_on_duty"] == 1
    assert stats["by_channel"] == {
        "line": {"requests": 4, "connected": 2, "response_rate": 50.0, "abandoned": 1},
        "web": {"requests": 2, "connected": 1, "response_rate": 50.0, "abandoned": 1},
    }
    assert stats["by_category"]["suicidal"]["connected"] == 1
    assert stats["by_category"]["money"] == {
        "requests": 1,
        "connected": 0,
        "response_rate": 0.0,
        "abandoned": 1,
    }
    assert stats["by_age_group"]["child"]["requests"] == 1
    assert stats["by_lang"]["en"]["requests"] == 1
    assert stats["by_lang"]["vi"] == {
        "requests": 1,
        "connected": 0,
        "response_rate": 0.0,
        "abandoned": 1,
    }
    assert stats["by_risk"]["high"]["connected"] == 1
    assert {h: b["requests"] for h, b in stats["by_hour"].items()} == {
        "09": 1,
        "10": 2,
        "11": 1,
        "12": 1,
        "13": 1,
    }
    assert stats["risk_events"] == {"alerts": {"high": 1}, "raised_while_waiting": 0}
    # yesterday's (closed 00:05 today), r1, r3, r5
    assert stats["records"]["closed"] == 4
    assert stats["records"]["urgency"] == {"normal": 3, "emergency": 1}
    # The detector's level against the counsellor's record: r3 was detected high and recorded
    # as an emergency with a flag; the others were calm on both sides.
    assert stats["records"]["by_detected_risk"] == {
        "high": {"closed": 1, "emergency": 1, "with_risk_flags": 1},
        "none": {"closed": 3, "normal": 3},
    }
    assert stats["handle"]["count"] == 4
    assert stats["referrals"] == {"total": 3, "by_target": {"yorisoi": 2, "市の福祉課": 1}}
    assert stats["escalations"] == {"119": 1}
    assert stats["transfers"] == 1 and stats["coordinated"] == 1


async def test_empty_windows_and_another_organisation(
    make_service: Callable[..., HandoffService],
    staff: StaffDirectory,
    clock: Clock,
    redis_client: Redis,
) -> None:
    await play_a_day(make_service, staff, clock)
    next_day = datetime(2026, 11, 26, tzinfo=TOKYO).timestamp()

    empty = await compute_stats(redis_client, next_day, next_day + 86400)
    elsewhere = await compute_stats(redis_client, next_day - 86400, next_day, org="other")
    ours = await compute_stats(redis_client, next_day - 86400, next_day, org="npo")

    assert empty["requests"] == 0 and empty["response_rate"] is None
    assert empty["waits"] == {"count": 0, "median_seconds": None, "p90_seconds": None}
    assert elsewhere["requests"] == 0
    assert ours["requests"] == 5  # all but r0, which no organisation could take
    assert ours["connected"] == 3


async def test_the_stats_command(
    make_service: Callable[..., HandoffService],
    staff: StaffDirectory,
    clock: Clock,
    redis_client: Redis,
) -> None:
    await play_a_day(make_service, staff, clock)
    out = io.StringIO()

    status = await stats_async(
        ["--from", "2026-11-25", "--to", "2026-11-25"], redis_client, out=out
    )

    lines = out.getvalue().splitlines()
    assert status == 0
    assert "requests 6" in lines and "connected 3" in lines
    assert "response_rate 50.0%" in lines and "waits median 120s p90 600s" in lines
    assert "records by_detected_risk high: closed 1 emergency 1 with_risk_flags 1" in lines
    as_json = io.StringIO()
    await stats_async(
        ["--from", "2026-11-25T00:00:00+09:00", "--to", "2026-11-26", "--json"],
        redis_client,
        out=as_json,
    )
    assert json.loads(as_json.getvalue())["connected"] == 3
    assert await stats_async(["--from", "soon"], redis_client, out=io.StringIO()) == 2


def test_nearest_rank() -> None:
    assert nearest_rank([], 90) is None
    assert nearest_rank([5.0], 90) == 5.0
    assert nearest_rank([float(i) for i in range(1, 11)], 90) == 9.0
    assert nearest_rank([float(i) for i in range(1, 11)], 50) == 5.0
