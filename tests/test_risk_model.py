"""The learned second opinion: it raises hints the rules miss a step at a time (to medium,
then from medium to high), it never lowers a level, its weights file is the one the
labelled data makes, and the bot answers what it raises with the crisis response."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from support.counsellor_client import add_counsellor, queue, settle
from support.webchat_client import card_titles, choice_ids, open_tab, say, texts

from benchmarks.risk_eval import evaluate
from bot.risk import LEARNED_RULE, Level, RiskDetector, default_detector
from bot.risk_model import RiskModel, SecondOpinion, char_ngrams
from bot.store import keys

ROOT = Path(__file__).resolve().parent.parent
# In no labelled file: no rule understands them, the models do.
UNSEEN_HINTS = (
    "もう誰にも迷惑かけないように、静かにいなくなる方法ばかり考えてる",
    "i keep thinking everyone would be fine if i just stopped",
)
# A rule sees ideation (medium); the plan is in words no rule knows.
UNSEEN_PLANS = (
    "死にたい。薬ならもう手元にある",
    "死にたい、今夜。場所も決めてある",
)


@pytest.fixture(scope="module")
def bot_detector() -> RiskDetector:
    return default_detector()


def with_model(detector: RiskDetector, models: SecondOpinion | None) -> RiskDetector:
    return RiskDetector(detector.normalise, detector.entries, detector.languages, models)


def constant(answer: bool) -> RiskModel:
    """A model that says yes (or no) to every message."""
    return RiskModel(weights={}, bias=30.0 if answer else -30.0, threshold=0.5)


@pytest.mark.parametrize("text", UNSEEN_HINTS)
def test_hints_the_rules_miss_are_raised_to_medium(bot_detector: RiskDetector, text: str) -> None:
    rules_only = with_model(bot_detector, None)
    assert rules_only.assess(text).level == Level.NONE
    result = bot_detector.assess(text)
    assert result.level == Level.MEDIUM
    assert result.reasons == ("learned_signal",)
    assert result.rules[-1] == LEARNED_RULE


@pytest.mark.parametrize(
    "text",
    [
        "テスト死ぬほどむずかった笑",
        "今日のランチ最高すぎて死ねる",
        "推しが尊くて無理",
        "部活やめたい",
        "this homework is killing me lol",
        "bài kiểm tra khó muốn chết luôn",
    ],
)
def test_figures_of_speech_stay_below_medium(bot_detector: RiskDetector, text: str) -> None:
    assert bot_detector.assess(text).level < Level.MEDIUM


@pytest.mark.parametrize("text", UNSEEN_PLANS)
def test_plans_the_rules_underrate_are_raised_to_high(
    bot_detector: RiskDetector, text: str
) -> None:
    assert with_model(bot_detector, None).assess(text).level < Level.HIGH
    result = bot_detector.assess(text)
    assert result.level == Level.HIGH
    assert result.reasons[0] == "learned_signal"


def test_it_raises_a_step_at_a_time_and_never_lowers(bot_detector: RiskDetector) -> None:
    medium_only = with_model(bot_detector, SecondOpinion(constant(True), constant(False)))
    high_only = with_model(bot_detector, SecondOpinion(constant(False), constant(True)))
    says_yes = with_model(bot_detector, SecondOpinion(constant(True), constant(True)))
    says_no = with_model(bot_detector, SecondOpinion(constant(False), constant(False)))
    assert medium_only.assess("おはよう").level == Level.MEDIUM
    assert high_only.assess("おはよう").level == Level.NONE  # high only from medium
    assert says_yes.assess("おはよう").level == Level.HIGH  # both steps, one message
    assert high_only.assess("死にたい").level == Level.HIGH
    assert high_only.assess("死にたい").level == Level.HIGH
    assert "learned_signal" not in medium_only.assess("今から飛び降りる").reasons
    assert says_no.assess("死にたい").level == Level.MEDIUM  # never lowered
    assert says_no.assess("今から飛び降りる").level == Level.HIGH


def test_features_are_distinct_sorted_ngrams_with_word_edges() -> None:
    assert char_ngrams("ab") == (" ", " a", " ab", "a", "ab", "ab ", "b", "b ")


def test_the_weights_file_is_the_one_the_labelled_data_makes() -> None:
    """Retrains from tests/data and compares byte for byte: the file is never edited by hand,
    and a labelled file added without retraining is caught here."""
    run = subprocess.run(
        [sys.executable, "benchmarks/train_risk_model.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


async def test_the_bot_answers_what_the_model_raised(make_app: Any, redis_client: Redis) -> None:
    client = await make_app()
    ws = await open_tab(client)
    reply = await say(ws, UNSEEN_HINTS[0])
    assert "話してくれて、ありがとうございます" in texts(reply)
    assert card_titles(reply), "lines open now are listed"
    assert choice_ids(reply)[0] == "person"
    events = await redis_client.xrange(keys.risk_events())
    assert events[-1][1][b"level"] == b"medium"
    assert b"learned_signal" in events[-1][1][b"reasons"]
    await ws.close()


@pytest.mark.parametrize(
    ("name", "recall_floor", "high_floor", "false_flag_ceiling"),
    [
        ("risk_independent8.jsonl", 0.97, 0.95, 0.02),
        ("risk_independent9.jsonl", 0.95, 0.95, 0.05),
        ("risk_multilingual4.jsonl", 0.95, 0.95, 0.05),
    ],
)
def test_floors_on_the_sets_nothing_was_fitted_to(
    bot_detector: RiskDetector,
    name: str,
    recall_floor: float,
    high_floor: float,
    false_flag_ceiling: float,
) -> None:
    """tests/data/unseen/: by independent writers, with no rule and no weight fitted to them.
    First measured (recall / high / false flags), rules alone: 0.812 / 0.875 / 0.000,
    0.825 / 0.825 / 0.022, 0.750 / 0.775 / 0.000; as the bot runs: 0.975 / 0.975 / 0.000,
    0.950 / 0.975 / 0.033, 0.963 / 0.975 / 0.037. (The second opinion's "both steps in one
    message" was settled after that first look; one step only gave high 0.875, 0.825,
    0.775 with no calm message at high, against 0, 1 and 3 now.) Kept out of training so
    the second opinion's gain stays measurable; these floors keep it."""
    found = evaluate(ROOT / "tests" / "data" / "unseen" / name, bot_detector).covered
    assert found.recall is not None and found.recall >= recall_floor, found
    assert found.high_as_high is not None and found.high_as_high >= high_floor, found
    assert found.false_flags is not None and found.false_flags <= false_flag_ceiling, found


async def test_a_plan_the_model_raised_goes_to_the_queue(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "ito", "npo-a")
    ws = await open_tab(client)
    reply = await say(ws, UNSEEN_PLANS[0])
    first = reply["reply"]["parts"][0]["text"]
    assert "110" in first and "119" in first
    await settle(client)
    [item] = await queue(client, counsellor)
    assert item["risk"] == "high"
    await ws.close()
