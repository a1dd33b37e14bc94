"""What the person is told, through the ConversationBridge, in order."""

from __future__ import annotations

import test_handoff_support as support
from test_handoff_support import RecordingBridge, add_people, context, good_record

from handoff.bridge import HandoffEvent
from handoff.service import HandoffService, TransferTarget
from handoff.staff import StaffDirectory

# Fixtures shared by the handoff tests.
bridge, clock, make_service, service, staff = (
    support.bridge,
    support.clock,
    support.make_service,
    support.service,
    support.staff,
)


async def test_a_whole_conversation_in_order(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    [kana] = await add_people(staff, "kodomo", "kana")
    await service.request("other", "line", context())  # someone else, not told anything here
    ticket = await service.request("c1", "line", context(age_group="child"))
    await service.claim(ticket.id, alice)
    first = await service.send(ticket.id, alice, "はじめまして。")
    await service.note(ticket.id, alice, "子どもの相談窓口へ")
    second = await service.send(ticket.id, alice, "子どもの相談の人につなぎますね。")
    await service.transfer(ticket.id, alice, TransferTarget("org", org="kodomo"), note="引継ぎ")
    await service.claim(ticket.id, kana)
    await service.release(ticket.id, kana)
    await service.claim(ticket.id, kana)
    await service.close(ticket.id, kana, good_record(topics=["school"]))

    told = [e for c, e in bridge.posted if c == "c1"]

    assert told == [
        HandoffEvent("queued", {"position": 2, "estimate_minutes": None}),
        HandoffEvent("claimed", {"counsellor": "aliceさん", "org": "npo の名前"}),
        HandoffEvent(
            "message", {"text": "はじめまして。", "message_id": first, "counsellor": "aliceさん"}
        ),
        HandoffEvent(
            "message",
            {
                "text": "子どもの相談の人につなぎますね。",
                "message_id": second,
                "counsellor": "aliceさん",
            },
        ),
        # "other" asked earlier and waits for either organisation: still ahead.
        HandoffEvent(
            "transferred",
            {"to": "kodomo の名前", "to_kind": "org", "position": 2, "estimate_minutes": None},
        ),
        HandoffEvent("claimed", {"counsellor": "kanaさん", "org": "kodomo の名前"}),
        HandoffEvent("released", {"reason": "released", "position": 2, "estimate_minutes": None}),
        HandoffEvent("claimed", {"counsellor": "kanaさん", "org": "kodomo の名前"}),
        HandoffEvent("closed", {}),
    ]
    assert first < second  # stream ids: the bot can order and de-duplicate by them
    assert all("子どもの相談窓口へ" not in str(e.params) for e in told)  # the note stays private
    assert bridge.kinds("other") == ["queued"]


async def test_coordinator_transfer_and_waiting_messages(
    service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    ticket = await service.request("c1", "web", context())
    assert await service.person_message("c1", "まだですか") is not None
    await service.claim(ticket.id, alice)
    await service.transfer(ticket.id, alice, TransferTarget("coordinator"))
    assert await service.cancel("c1")
    assert await service.person_message("c1", "もういいです") is None  # nothing stored now

    assert [e for c, e in bridge.posted if c == "c1"][2:] == [
        HandoffEvent(
            "transferred",
            {"to": None, "to_kind": "coordinator", "position": 1, "estimate_minutes": None},
        ),
        HandoffEvent("cancelled", {}),
    ]


async def test_a_failing_bridge_does_not_undo_the_change(
    service: HandoffService, staff: StaffDirectory
) -> None:
    class Broken:
        async def post(self, conv_id: str, event: HandoffEvent) -> None:
            raise ConnectionError("bot inbox unavailable")

    [alice] = await add_people(staff, "npo", "alice")
    service.bridge = Broken()
    ticket = await service.request("c1", "line", context())
    await service.claim(ticket.id, alice)
    assert (await service.detail(ticket.id, alice))["counsellor"] == "alice"
