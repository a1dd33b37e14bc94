"""Train the learned second opinion and write its weights (locales/risk-model.json).

    uv run python benchmarks/train_risk_model.py            # cross-validate, then write
    uv run python benchmarks/train_risk_model.py --check    # exit 1 if the file is stale

Every labelled file in tests/data is used, for two models: P(medium or high) and P(high).
Each threshold is chosen by leave-one-file-out cross-validation before the final models see
all files, as the lowest rung of a fixed ladder that keeps the held-out cost within budget:

- medium: raises at most 2.5% of the held-out ``none`` messages the rules left alone (half
  of the 5% false-flag budget);
- high: raises at most 2.5% of the held-out messages a rule put at medium that are not high
  (at run time it may also raise a medium the first model gave: bot/risk.py; what that
  costs on new wording is measured on tests/data/unseen/, see the README).

Every file is held out in turn for both. (Until session 3 only the risk_train_*.jsonl files
were held out for the high threshold, as the only files the rules had not been fitted to;
their misses have since been read to extend the rules too, so no file is special.)

The result is deterministic, so ``--check`` (and tests/test_risk_model.py) can tell that the
file matches the data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.risk import Level, RiskDetector, default_model_path
from bot.risk_model import RiskModel, SecondOpinion

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LADDER = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99)
BUDGET_SHARE = 0.025
MEDIUM = Level.MEDIUM

Example = tuple[str, str, Level]  # file name, normalised text, label


def say(*parts: object) -> None:
    """One line of the report (this is a command-line tool: its output is the point)."""
    sys.stdout.write(" ".join(map(str, parts)) + "\n")


def labelled_files() -> list[Path]:
    return sorted(DATA.glob("risk_*.jsonl"))


def read_examples(detector: RiskDetector, files: Sequence[Path]) -> list[Example]:
    """Each distinct normalised text once (first label wins), in file order."""
    seen: set[str] = set()
    examples: list[Example] = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            normalised = detector.normalise(item["text"])
            text = detector.romaji_as_kana(normalised) or normalised  # as assess reads it
            if text and text not in seen:
                seen.add(text)
                examples.append((path.name, text, Level.parse(item["level"])))
    return examples


def pairs(examples: Sequence[Example], least: Level) -> list[tuple[str, bool]]:
    return [(text, label >= least) for _, text, label in examples]


def lowest_rung(probabilities: Sequence[float], what: str) -> float:
    for rung in LADDER:
        raised = sum(p >= rung for p in probabilities)
        if raised <= BUDGET_SHARE * len(probabilities):
            say(f"{what} threshold {rung}: raises {raised} of {len(probabilities)} held out")
            return rung
    return LADDER[-1]


def medium_threshold(detector: RiskDetector, examples: Sequence[Example]) -> float:
    quiet: list[float] = []  # none messages the rules left below medium, held out
    for held_out in sorted({name for name, _, _ in examples}):
        model = RiskModel.train(pairs([e for e in examples if e[0] != held_out], MEDIUM), 1.0)
        quiet.extend(
            model.probability(text)
            for name, text, label in examples
            if name == held_out
            and label == Level.NONE
            and detector._assess_normalised(text, gated=True).level < MEDIUM
        )
    return lowest_rung(quiet, "medium")


def high_threshold(detector: RiskDetector, examples: Sequence[Example]) -> float:
    at_medium: list[float] = []  # held-out messages a rule put at medium, not high
    for held_out in sorted({name for name, _, _ in examples}):
        high = RiskModel.train(pairs([e for e in examples if e[0] != held_out], Level.HIGH), 1.0)
        at_medium.extend(
            high.probability(text)
            for name, text, label in examples
            if name == held_out
            and label != Level.HIGH
            and detector._assess_normalised(text, gated=True).level == MEDIUM
        )
    return lowest_rung(at_medium, "high")


def build(detector: RiskDetector, thresholds: tuple[float, float] | None) -> dict[str, object]:
    files = labelled_files()
    examples = read_examples(detector, files)
    if thresholds is None:
        thresholds = (medium_threshold(detector, examples), high_threshold(detector, examples))
    models = SecondOpinion(
        RiskModel.train(pairs(examples, MEDIUM), thresholds[0]),
        RiskModel.train(pairs(examples, Level.HIGH), thresholds[1]),
    )
    return models.as_json({"file": path.name, "lines": _lines(path)} for path in files)


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def render(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=0, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from the data"
    )
    args = parser.parse_args(argv)
    detector = RiskDetector.from_dir()
    if args.check:
        shipped = SecondOpinion.load(args.out)
        expected = render(build(detector, (shipped.medium.threshold, shipped.high.threshold)))
        same = expected == args.out.read_text(encoding="utf-8")
        say("risk model is current" if same else f"{args.out} is stale: run this script")
        return 0 if same else 1
    args.out.write_text(render(build(detector, None)), encoding="utf-8")
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
