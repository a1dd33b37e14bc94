"""Does a learned second opinion (benchmarks/risk_model.py) catch what the lexicon misses?

    uv run python benchmarks/risk_model_eval.py

1. Leave-one-file-out cross-validation on the training files only (benchmarks/risk_model.py
   .TRAINING_FILES): each file is scored by models trained on the other files. A table of
   thresholds, and the thresholds the rules below pick:
   - medium: the lowest probability at which the model raises at most 2.5% of the ``none``
     messages the lexicon left at none (half the 5% false-flag budget);
   - high: the lowest probability at which at least 90% of the messages the model would
     raise to high (those the lexicon did not already call high) are labelled high; if none
     reaches it, the model may not raise to high.
   The lexicon was tuned on these files, so its cross-validated figures are optimistic; the
   model's are honest out-of-fold figures.
2. One evaluation on tests/data/risk_independent3.jsonl (never used for training or for
   choosing anything): lexicon alone, model alone, combined (max of the two levels).
3. Cost: training at start-up, and microseconds per message.

Figures only: no message text is printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from risk_eval import Tally, read_labelled
from risk_model import (
    DATA_DIR,
    HIGH_THRESHOLD,
    MEDIUM_THRESHOLD,
    TRAINING_FILES,
    Example,
    RiskModel,
    combined_level,
    read_examples,
)

from bot.risk import Level, RiskDetector

EVALUATION_FILE = DATA_DIR / "risk_independent3.jsonl"
ADDED_FLAG_BUDGET = 0.025
HIGH_PRECISION = 0.90
GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)


def say(*parts: object) -> None:
    """Write one line of the report (this is a command-line tool: its output is the point)."""
    sys.stdout.write(" ".join(map(str, parts)) + "\n")


def out_of_fold(detector: RiskDetector, examples: Sequence[Example]) -> list[tuple[float, float]]:
    """(P(risky), P(high)) for every example, from models that never saw its file."""
    scores: list[tuple[float, float]] = [(0.0, 0.0)] * len(examples)
    for held_out in TRAINING_FILES:
        rest = [e for e in examples if e.source != held_out]
        model = RiskModel.from_examples(detector.normalise, rest)
        for index, example in enumerate(examples):
            if example.source == held_out:
                scores[index] = model.probabilities(example.text)
    return scores


def model_level(scores: tuple[float, float], medium: float, high: float | None) -> Level:
    if high is not None and scores[1] >= high:
        return Level.HIGH
    return Level.MEDIUM if scores[0] >= medium else Level.NONE


def tally(labels: Sequence[Level], levels: Sequence[Level]) -> Tally:
    result = Tally()
    for label, got in zip(labels, levels, strict=True):
        result.add(label, got)
    return result


def row(name: str, t: Tally) -> str:
    def fmt(value: float | None) -> str:
        return "  -  " if value is None else f"{value:.3f}"

    return (
        f"{name:<28} recall m+h {fmt(t.recall)} ({t.risky_found}/{t.risky})  "
        f"high=high {fmt(t.high_as_high)} ({t.high_found}/{t.high})  "
        f"false flags {fmt(t.false_flags)} ({t.none_flagged}/{t.none})  "
        f"false alarms {fmt(t.false_alarms)} ({t.calm_alarmed}/{t.calm})"
    )


def cross_validate(detector: RiskDetector) -> tuple[float, float | None]:
    examples = read_examples(detector.normalise, TRAINING_FILES)
    labels = [e.label for e in examples]
    lexicon = [detector.assess(e.text).level for e in examples]
    scores = out_of_fold(detector, examples)
    say(f"== cross-validation, leave one file out: {len(examples)} distinct messages")
    say(row("lexicon alone (tuned on it)", tally(labels, lexicon)))
    quiet_none = [i for i, e in enumerate(examples) if e.label == Level.NONE and lexicon[i] == 0]
    chosen_medium = GRID[-1]
    for threshold in GRID:
        model = [model_level(s, threshold, None) for s in scores]
        added = sum(model[i] > Level.NONE for i in quiet_none) / len(quiet_none)
        say(f"-- medium threshold {threshold}: model raises {added:.3f} of quiet none")
        say(row("   model alone", tally(labels, model)))
        say(row("   combined", tally(labels, list(map(combined_level, lexicon, model)))))
        if added <= ADDED_FLAG_BUDGET and threshold < chosen_medium:
            chosen_medium = threshold
    chosen_high: float | None = None
    for threshold in GRID:
        # What combining changes: messages the lexicon did not call high but the model would.
        raised = [
            e.label
            for e, s, lex in zip(examples, scores, lexicon, strict=True)
            if s[1] >= threshold and lex < Level.HIGH
        ]
        found = sum(label == Level.HIGH for label in raised)
        precision = found / len(raised) if raised else 0.0
        calm = sum(label <= Level.LOW for label in raised)
        say(
            f"-- high threshold {threshold}: raises to high {len(raised)}, labelled high "
            f"{found} (precision {precision:.3f}), labelled none/low {calm}"
        )
        if precision >= HIGH_PRECISION and chosen_high is None:
            chosen_high = threshold
    say(f"chosen: medium threshold {chosen_medium}, high threshold {chosen_high}")
    if (chosen_medium, chosen_high) != (MEDIUM_THRESHOLD, HIGH_THRESHOLD):
        say(f"NOTE: benchmarks/risk_model.py has {MEDIUM_THRESHOLD}, {HIGH_THRESHOLD}; update it")
    return chosen_medium, chosen_high


def evaluate_once(detector: RiskDetector, model: RiskModel, path: Path) -> None:
    items = list(read_labelled(path))
    labels = [label for _, _, label in items]
    lexicon = [detector.assess(text, lang).level for text, lang, _ in items]
    alone = [model.level(text) for text, _, _ in items]
    say(f"== {path.name} (never used for training or thresholds): {len(items)} messages")
    say(row("lexicon alone", tally(labels, lexicon)))
    say(row("model alone", tally(labels, alone)))
    say(row("combined", tally(labels, list(map(combined_level, lexicon, alone)))))


def per_message_us(run: Callable[[str], object], texts: Sequence[str], rounds: int = 20) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter_ns()
        for text in texts:
            run(text)
        best = min(best, (time.perf_counter_ns() - started) / len(texts) / 1000)
    return best


def main() -> int:
    detector = RiskDetector.from_dir()
    medium, high = cross_validate(detector)
    started = time.perf_counter()
    model = RiskModel.train(detector, medium_threshold=medium, high_threshold=high)
    train_ms = (time.perf_counter() - started) * 1000
    evaluate_once(detector, model, EVALUATION_FILE)
    texts = [text for name in TRAINING_FILES[:2] for text, _, _ in read_labelled(DATA_DIR / name)]
    lexicon_us = per_message_us(detector.assess, texts)
    model_us = per_message_us(model.level, texts)
    say(f"== cost: training at start-up {train_ms:.0f} ms ({len(model.risky.weights)} n-grams)")
    say(f"lexicon {lexicon_us:.1f} µs/msg, model {model_us:.1f} µs/msg (best of 20 rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
