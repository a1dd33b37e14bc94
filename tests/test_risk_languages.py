"""What every language's lexicon must keep, checked the same way for each group of languages
added together: loading it changes no other language's levels, the labelled lines in it get
their level, every pattern has an anchor, and the anchor gate never changes its results.
(Each language's own messages are in tests/test_risk_<langs>.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.risk_lexicons import detector_without

from bot.risk import Level, RiskDetector, anchors_of

DATA = Path(__file__).parent / "data"
# The lexicons added after ja, en and vi, in the groups they were written in.
GROUPS = (("zh", "ko"), ("pt", "es"), ("tl", "id"), ("th", "ne"))


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


def labelled(paths: list[Path]) -> list[dict[str, str]]:
    return [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("langs", GROUPS, ids="+".join)
def test_loading_a_lexicon_changes_no_other_language(
    detector: RiskDetector, langs: tuple[str, ...], tmp_path: Path
) -> None:
    """Every data example of the other lexicons and every labelled line in another language
    grade the same with and without these lexicons loaded."""
    without = detector_without(langs, tmp_path)
    assert set(detector.languages) - set(without.languages) == set(langs)
    texts = [example for entry in without.entries for example in entry.examples]
    texts += [
        item["text"]
        for item in labelled(sorted(DATA.glob("risk_*.jsonl")))
        if item["lang"] not in langs
    ]
    assert len(texts) > 3000
    changed = [text for text in texts if detector.assess(text).level != without.assess(text).level]
    assert changed == []


@pytest.mark.parametrize("langs", GROUPS, ids="+".join)
def test_the_labelled_lines_get_their_level(
    detector: RiskDetector, langs: tuple[str, ...]
) -> None:
    """Exact levels on the labelled set and its held-out part (the independent sets are
    measured by benchmarks/risk_eval.py and held to targets in tests/test_risk.py)."""
    items = [
        item
        for item in labelled([DATA / "risk_labelled.jsonl", DATA / "risk_heldout.jsonl"])
        if item["lang"] in langs
    ]
    assert items
    wrong = [
        (item["text"], item["level"], got.label)
        for item in items
        if (got := detector.assess(item["text"], item["lang"]).level) != Level.parse(item["level"])
    ]
    assert wrong == []


def test_every_pattern_has_an_anchor(detector: RiskDetector) -> None:
    """The gate searches a pattern only when one of its anchors is in the message; one with
    no anchor would be searched on every message, in eleven languages."""
    missing = [
        entry.id
        for entry in detector.entries
        for pattern in (*entry.patterns, *entry.together)
        if anchors_of(pattern) is None
    ]
    assert missing == []


def _specific(pattern: str) -> bool:
    anchors = anchors_of(pattern)
    return bool(anchors) and min(len(a.strip()) for a in anchors or ()) >= 3


def test_latin_script_lexicons_added_later_have_specific_anchors(detector: RiskDetector) -> None:
    """An anchor of a letter or two ("me", "to") would wake a Portuguese or Spanish pattern
    on most English messages. A together rule is searched by its best-anchored cue only."""
    weak = [
        entry.id
        for entry in detector.entries
        if entry.id.split(":")[0] in ("pt", "es")
        if not all(map(_specific, entry.patterns))
        or (entry.together and not any(map(_specific, entry.together)))
    ]
    assert weak == []
