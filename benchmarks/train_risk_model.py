"""Train the learned second opinion and write its weights (locales/risk-model.json).

    uv run python benchmarks/train_risk_model.py            # cross-validate, then write
    uv run python benchmarks/train_risk_model.py --check    # exit 1 if the file is stale

Every labelled file in tests/data is used. The threshold is chosen by leave-one-file-out
cross-validation, before the final model sees all files: the lowest probability (from a
fixed ladder) at which the held-out models raise at most 2.5% of the ``none`` messages the
lexicons left alone, half of the 5% false-flag budget. The result is deterministic, so
``--check`` (and tests/test_risk_model.py) can tell that the file matches the data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.risk import Level, RiskDetector, default_model_path
from bot.risk_model import RiskModel

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LADDER = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99)
FALSE_FLAG_SHARE = 0.025

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
            text = detector.normalise(item["text"])
            if text and text not in seen:
                seen.add(text)
                examples.append((path.name, text, Level.parse(item["level"])))
    return examples


def pairs(examples: Sequence[Example]) -> list[tuple[str, bool]]:
    return [(text, label >= Level.MEDIUM) for _, text, label in examples]


def choose_threshold(detector: RiskDetector, examples: Sequence[Example]) -> float:
    """The lowest rung at which held-out models raise <= 2.5% of the lexicons' quiet nones."""
    quiet: list[float] = []  # probabilities of none messages the lexicons left below medium
    for held_out in sorted({name for name, _, _ in examples}):
        model = RiskModel.train(pairs([e for e in examples if e[0] != held_out]), 1.0)
        for name, text, label in examples:
            if name != held_out or label != Level.NONE:
                continue
            if detector._assess_normalised(text, gated=True).level < Level.MEDIUM:
                quiet.append(model.probability(text))
    for rung in LADDER:
        if sum(p >= rung for p in quiet) <= FALSE_FLAG_SHARE * len(quiet):
            say(f"threshold {rung}: held-out quiet nones raised", sum(p >= rung for p in quiet))
            return rung
    return LADDER[-1]


def build(detector: RiskDetector, cross_validate: bool, threshold: float) -> dict[str, object]:
    files = labelled_files()
    examples = read_examples(detector, files)
    if cross_validate:
        threshold = choose_threshold(detector, examples)
    model = RiskModel.train(pairs(examples), threshold)
    sources = [{"file": path.name, "lines": _lines(path)} for path in files]
    return model.as_json(sources)


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
        shipped = RiskModel.load(args.out)
        expected = render(build(detector, cross_validate=False, threshold=shipped.threshold))
        same = expected == args.out.read_text(encoding="utf-8")
        say("risk model is current" if same else f"{args.out} is stale: run this script")
        return 0 if same else 1
    document = build(detector, cross_validate=True, threshold=1.0)
    args.out.write_text(render(document), encoding="utf-8")
    weights = document["weights"]
    say(f"wrote {args.out}: {len(weights)} weights")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
