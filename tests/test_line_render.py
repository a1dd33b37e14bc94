"""LINE rendering keeps within LINE's limits and degrades gracefully; every case is also
checked against LINE's OpenAPI spec by the stand-in's checker."""

from __future__ import annotations

import pytest
from support.openapi_check import LineSpec

from bot.channels import line_render
from bot.messages import (
    MORE_PREFIX,
    RenderedAction,
    RenderedCard,
    RenderedCards,
    RenderedChoice,
    RenderedReply,
    RenderedText,
)


@pytest.fixture(scope="module")
def spec() -> LineSpec:
    return LineSpec.load()


def reply(*parts: object, choices: int = 0, offset: int = 0) -> RenderedReply:
    return RenderedReply(
        parts=tuple(parts),  # type: ignore[arg-type]
        choices=tuple(RenderedChoice(f"c{i}", f"選択肢その{i}") for i in range(choices)),
        locale="ja",
        more_label="ほかの選択肢",
        choice_offset=offset,
    )


def assert_valid(spec: LineSpec, messages: list[dict[str, object]]) -> None:
    for batch in line_render.batches(messages):
        body = {"to": "U" + "0" * 32, "messages": batch}
        problems = spec.check_body("PushMessageRequest", body)
        assert not problems, problems


def test_more_than_thirteen_choices_page_with_a_more_button(spec: LineSpec) -> None:
    messages = line_render.render(reply(RenderedText("どれですか"), choices=20))
    items = messages[-1]["quickReply"]["items"]  # type: ignore[index]
    assert len(items) == 13
    assert items[-1]["action"]["data"] == f"{MORE_PREFIX}12"
    second = line_render.render(reply(RenderedText("続き"), choices=20, offset=12))
    assert [i["action"]["data"] for i in second[-1]["quickReply"]["items"]] == [  # type: ignore[index]
        f"c{i}" for i in range(12, 20)
    ]
    assert_valid(spec, messages)


def test_long_labels_are_cut_and_shown_in_full_when_tapped(spec: LineSpec) -> None:
    long = RenderedChoice("x", "とても長い選択肢のラベルで二十文字をこえています")
    r = RenderedReply((RenderedText("?"),), (long,), "ja")
    action = line_render.render(r)[-1]["quickReply"]["items"][0]["action"]  # type: ignore[index]
    assert len(action["label"]) == 20 and action["label"].endswith("…")
    assert action["displayText"] == long.label
    assert_valid(spec, line_render.render(r))


def test_text_over_5000_utf16_units_is_split(spec: LineSpec) -> None:
    text = ("あ" * 99 + "😀\n") * 60  # emoji count 2 in UTF-16
    messages = line_render.render(reply(RenderedText(text)))
    assert len(messages) >= 2
    assert all(line_render.utf16_len(m["text"]) <= 5000 for m in messages)  # type: ignore[arg-type]
    assert "".join(m["text"] for m in messages).count("😀") == 60  # type: ignore[misc]
    assert_valid(spec, messages)


def test_many_parts_go_out_in_calls_of_five(spec: LineSpec) -> None:
    card = RenderedCard(
        "窓口",
        "説明",
        "24時間",
        ("いま受付中",),
        (RenderedAction("tel", "電話する", "0120-279-338"),),
    )
    parts = []
    for i in range(7):
        parts.append(RenderedText(f"文{i}"))
        parts.append(RenderedCards((card,) * 13, "相談先"))
    messages = line_render.render(reply(*parts, choices=3))
    calls = line_render.batches(messages)
    assert all(len(c) <= 5 for c in calls)
    assert "quickReply" in calls[-1][-1]
    carousels = [m for m in messages if m["type"] == "flex"]
    assert all(len(m["contents"]["contents"]) <= 12 for m in carousels)  # type: ignore[index]
    assert_valid(spec, messages)
