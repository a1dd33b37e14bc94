"""The queue through the service: priority, claims, release, transfer, close, limits,
stale claims, alerts, cancelling and forgetting, on a real Redis."""

from __future__ import annotations

import asyncio

import pytest
import test_handoff_support as support
from redis.asyncio import Redis
from test_handoff_support import Clock, RecordingBridge, add_people, context, good_record

from bot.store import keys
from handoff.config import HandoffConfig, QueueTimings
from handoff.routing import OrgProfile, Skills
from handoff.service import Conflict, HandoffService, NotFound, TransferTarget
from handoff.staff import StaffDirectory

# Fixtures shared by the handoff tests.
bridge, clock, make_service, service, staff = (
    support.bridge,
    support.clock,
    support.make_service,
    support.service,
    support.staff,
)


async def test_high_risk_goes_before_earlier_plain_requests(
    service: HandoffService, staff: StaffDirectory, clock: Clock
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    plain_first = await service.request("c1", "line", context())
    clock.advance(60)
    plain_second = await service.request("c2", "web", context())
    clock.advance(60)
    urgent = await service.request("c3", "line", context(risk="high", risk_reasons=["plan"]))
    clock.advance(60)
    medium = await service.request("c4", "line", context(risk="medium"))

    waiting = await service.waiting_for(alice)

    assert [w["id"] for w in waiting] == [urgent.id, medium.id, plain_first.id, plain_second.id]
    assert [w["priority"] for w in waiting] == [3, 2, 0, 0]
    assert [w["position"] for w in waiting] == [1, 2, 3, 4]
    assert urgent.position == 1 and plain_second.position == 2


async def test_fifty_concurrent_claims_exactly_one_wins(
    service: HandoffService, staff: StaffDirectory
) -> None:
    people = await add_people(staff, "npo", *[f"c{i:02d}" for i in range(50)])
    ticket = await service.request("conv", "line", context())

    async def attempt(who):  # type: ignore[no-untyped-def]
        try:
            await service.claim(ticket.id, who)
            return who.login
        except Conflict as exc:
            return exc.code

    results = await asyncio.gather(*(attempt(p) for p in people))

    winners = [r for r in results if r.startswith("c")]
    assert len(winners) == 1
    assert results.count("taken") == 49
    detail = await service.detail(ticket.id, people[0])
    assert detail["counsellor"] == winners[0] and detail["status"] == "active"


async def test_release_keeps_the_place_in_the_queue(
    service: HandoffService, staff: StaffDirectory, clock: Clock, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    first = await service.request("c1", "line", context())
    clock.advance(30)
    second = await service.request("c2", "line", context())
    await service.claim(first.id, alice)
    assert [w["id"] for w in await service.waiting_for(alice)] == [second.id]

    released = await service.release(first.id, alice)

    assert released.status == "waiting" and released.position == 1
    assert [w["id"] for w in await service.waiting_for(alice)] == [first.id, second.id]
    assert bridge.last("c1").kind == "released"
    assert bridge.last("c1").params["position"] == 1
    with pytest.raises(Conflict, match="not_active"):
        await service.release(first.id, alice)


async def test_only_the_holder_writes_releases_or_closes(
    service: HandoffService, staff: StaffDirectory
) -> None:
    alice, bob = await add_people(staff, "npo", "alice", "bob")
    ticket = await service.request("c1", "line", context())
    await service.claim(ticket.id, alice)

    for action in (
        lambda: service.send(ticket.id, bob, "こんにちは"),
        lambda: service.release(ticket.id, bob),
        lambda: service.close(ticket.id, bob, good_record()),
    ):
        with pytest.raises(Conflict, match="not_yours"):
            await action()
    # A colleague of the same organisation may still read and leave a private note.
    await service.note(ticket.id, bob, "夜間は私が引き継ぎます")
    assert [e.role for e in await service.messages(ticket.id, bob)][-1] == "note"


async def test_transfer_to_another_org_moves_it_out_of_sight(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    [kana] = await add_people(staff, "kodomo", "kana")
    ticket = await service.request("c1", "line", context())
    assert {w["id"] for w in await service.waiting_for(kana)} == {ticket.id}
    await service.claim(ticket.id, alice)

    moved = await service.transfer(
        ticket.id, alice, TransferTarget("org", org="kodomo"), note="18歳未満のようです"
    )

    assert moved.status == "waiting" and moved.orgs == ("kodomo",)
    assert [w["id"] for w in await service.waiting_for(kana)] == [ticket.id]
    assert await service.waiting_for(alice) == []
    with pytest.raises(NotFound):
        await service.messages(ticket.id, alice)
    event = bridge.last("c1")
    assert event.kind == "transferred"
    assert event.params["to"] == "kodomo の名前" and event.params["to_kind"] == "org"
    roles = [(e.role, e.text) for e in await service.messages(ticket.id, kana)]
    assert ("note", "18歳未満のようです") in roles
    await service.claim(ticket.id, kana)
    assert (await service.detail(ticket.id, kana))["transfers"] == 1


async def test_transfer_to_coordinator_and_to_unknown_org(
    service: HandoffService, staff: StaffDirectory
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    [coord] = await add_people(staff, "platform", "coord", role="coordinator")
    ticket = await service.request("c1", "line", context())
    await service.claim(ticket.id, alice)

    with pytest.raises(Exception, match="unknown_org"):
        await service.transfer(ticket.id, alice, TransferTarget("org", org="nowhere"))
    await service.transfer(ticket.id, alice, TransferTarget("coordinator"), note="緊急度を確認")

    assert await service.waiting_for(alice) == []
    assert [w["orgs"] for w in await service.waiting_for(coord)] == [["@coordinator"]]
    await service.claim(ticket.id, coord)


async def test_close_ends_it_and_the_record_is_kept_sealed(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge, redis_client: Redis
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    ticket = await service.request("c1", "line", context())
    await service.claim(ticket.id, alice)
    record = good_record(lg_code="131016", referrals=["yorisoi", "地域包括支援センター"])

    await service.close(ticket.id, alice, record)

    assert bridge.kinds("c1") == ["queued", "claimed", "closed"]
    detail = await service.detail(ticket.id, alice)
    assert detail["status"] == "closed" and detail["record"]["lg_code"] == "131016"
    raw = await redis_client.hget(keys.handoff(f"ticket:{ticket.id}"), "record")
    assert isinstance(raw, bytes) and "居場所".encode() not in raw
    assert await service.position("c1") is None
    # The person may ask again: a new ticket.
    again = await service.request("c1", "line", context())
    assert again.id != ticket.id and again.status == "waiting"


async def test_per_counsellor_limit(make_service, staff: StaffDirectory) -> None:  # type: ignore[no-untyped-def]
    service = make_service(HandoffConfig(orgs={"npo": OrgProfile("npo", max_per_counsellor=2)}))
    alice, bob = await add_people(staff, "npo", "alice", "bob")
    tickets = [await service.request(f"c{i}", "line", context()) for i in range(3)]
    await service.claim(tickets[0].id, alice)
    await service.claim(tickets[1].id, alice)

    with pytest.raises(Conflict, match="limit"):
        await service.claim(tickets[2].id, alice)
    await service.claim(tickets[2].id, bob)
    await service.close(tickets[0].id, alice, good_record())
    fourth = await service.request("c9", "line", context())
    await service.claim(fourth.id, alice)


async def test_a_vanished_counsellor_loses_the_conversation_to_the_queue(
    make_service, staff: StaffDirectory, clock: Clock, bridge: RecordingBridge
) -> None:  # type: ignore[no-untyped-def]
    service = make_service(HandoffConfig(timings=QueueTimings(lease_seconds=60)))
    alice, bob = await add_people(staff, "npo", "alice", "bob")
    kept = await service.request("kept", "line", context())
    lost = await service.request("lost", "line", context())
    await service.claim(kept.id, alice)
    await service.claim(lost.id, bob)

    clock.advance(40)
    await service.heartbeat(alice)  # alice's console is still there; bob's went quiet
    clock.advance(30)
    await service.tick()

    assert (await service.detail(kept.id, alice))["status"] == "active"
    assert (await service.detail(lost.id, alice))["status"] == "waiting"
    assert bridge.last("lost").kind == "released"
    assert bridge.last("lost").params["reason"] == "disconnected"
    with pytest.raises(Conflict, match="not_active"):
        await service.send(lost.id, bob, "まだいますか")
    await service.claim(lost.id, alice)
    await service.tick()  # alice's fresh claim is not touched
    assert (await service.detail(lost.id, alice))["counsellor"] == "alice"


async def test_an_alert_moves_a_waiting_person_up_and_tells_coordinators(
    service: HandoffService, staff: StaffDirectory, clock: Clock, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    [coord] = await add_people(staff, "platform", "coord", role="coordinator")
    await service.request("c1", "line", context())
    clock.advance(10)
    later = await service.request("c2", "line", context())
    assert later.position == 2

    assert await service.raise_alert("c2", "high", ["plan", "this is free text"])

    assert (await service.waiting_for(alice))[0]["id"] == later.id
    assert bridge.last("c2").kind == "position" and bridge.last("c2").params["position"] == 1
    [alert] = await service.alerts(coord)
    assert alert["ticket"] == later.id and alert["level"] == "high"
    assert alert["reasons"] == ["plan"]  # codes only: free text never reaches the alert log
    assert not await service.raise_alert("nobody", "high", [])


async def test_cancel_and_forget(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge, redis_client: Redis
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    waiting = await service.request("c1", "line", context())
    talking = await service.request("c2", "line", context())
    await service.claim(talking.id, alice)
    await service.person_message("c2", "聞いてほしいことがあります")

    assert await service.cancel("c1")
    assert not await service.cancel("c1")
    assert not await service.cancel("c2")  # talking, not waiting
    await service.forget("c2")

    assert bridge.kinds("c1") == ["queued", "cancelled"]
    assert await service.waiting_for(alice) == []
    assert await service.conversations_for(alice) == []
    assert not await redis_client.exists(keys.transcript("c2"))
    assert not await redis_client.exists(keys.handoff(f"ticket:{talking.id}"))
    assert await service.queue.held_by("alice") == []
    assert (await service.detail(waiting.id, alice))["status"] == "cancelled"
    with pytest.raises(NotFound):
        await service.detail(talking.id, alice)


async def test_asking_twice_keeps_one_ticket(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge
) -> None:
    await add_people(staff, "npo", "alice")
    first = await service.request("c1", "line", context())
    second = await service.request("c1", "line", context())
    assert first.id == second.id and second.position == 1
    assert bridge.kinds("c1") == ["queued", "queued"]


async def test_positions_are_told_while_waiting_but_not_too_often(
    service: HandoffService, staff: StaffDirectory, clock: Clock, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    first = await service.request("c1", "line", context())
    await service.request("c2", "line", context())
    await service.request("c3", "line", context())
    await service.claim(first.id, alice)

    await service.tick()  # positions changed, but the last word was less than 60 s ago
    assert bridge.kinds("c3") == ["queued"]
    clock.advance(61)
    await service.heartbeat(alice)
    await service.tick()
    clock.advance(61)
    await service.heartbeat(alice)
    await service.tick()  # nothing changed since

    assert bridge.kinds("c3") == ["queued", "position"]
    assert bridge.last("c3").params == {"position": 2, "estimate_minutes": None}


async def test_estimate_only_from_real_handle_times(
    service: HandoffService, staff: StaffDirectory, clock: Clock
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    for i in range(3):
        ticket = await service.request(f"done{i}", "line", context())
        await service.claim(ticket.id, alice)
        clock.advance(600)
        await service.close(ticket.id, alice, good_record())
    await service.heartbeat(alice)
    await service.request("w1", "line", context())

    second = await service.request("w2", "line", context())

    # position 2 × median 600 s / 1 counsellor on duty = 20 minutes
    assert second.position == 2 and second.estimate_minutes == 20
    clock.advance(3600)  # nobody on duty any more: no estimate rather than a made-up one
    assert await service.position("w2") == (2, None)


async def test_a_counsellor_cannot_claim_what_is_not_routed_to_them(
    service: HandoffService, staff: StaffDirectory
) -> None:
    [kana] = await add_people(staff, "kodomo", "kana")
    service.config = HandoffConfig(
        orgs={
            "npo": OrgProfile("npo"),
            "kodomo": OrgProfile("kodomo", skills=Skills(age_groups=frozenset({"child"}))),
        }
    )
    await add_people(staff, "npo", "alice")
    adult = await service.request("c1", "line", context(age_group="adult"))
    with pytest.raises(NotFound):
        await service.claim(adult.id, kana)


async def test_once_taken_it_belongs_to_the_organisation_that_took_it(
    service: HandoffService, staff: StaffDirectory
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    [kana] = await add_people(staff, "kodomo", "kana")
    ticket = await service.request("c1", "line", context())  # routed to both
    await service.person_message("c1", "はじめまして")
    assert len(await service.messages(ticket.id, kana)) == 2  # may read before taking it

    await service.claim(ticket.id, alice)
    with pytest.raises(NotFound):
        await service.messages(ticket.id, kana)
    await service.release(ticket.id, alice)
    assert await service.messages(ticket.id, kana)  # waiting for both again
    await service.claim(ticket.id, alice)
    await service.close(ticket.id, alice, good_record())
    with pytest.raises(NotFound):
        await service.detail(ticket.id, kana)
    assert (await service.detail(ticket.id, alice))["status"] == "closed"
