"""Measure the risk detector on labelled messages: recall, high-as-high, false flags.

    uv run python benchmarks/risk_eval.py                      # both files in tests/data
    uv run python benchmarks/risk_eval.py FILE.jsonl [...]     # any labelled JSONL
    uv run python benchmarks/risk_eval.py --file tests/data/risk_fresh.jsonl  # same, by option
    uv run python benchmarks/risk_eval.py --quiet              # figures only
    uv run python benchmarks/risk_eval.py --kana               # Japanese lines without kanji
    uv run python benchmarks/risk_eval.py --second-opinion FILE  # as the bot runs: + the model

Each input line is {"text", "lang", "level"} with a human label, given as a counsellor would:
high = an act or plan now or imminent (pills taken, on a roof, a note written, bleeding,
violence happening, a threat to life, a method being looked up); medium = suicidal or
self-harm ideation, self-harm or an attempt in the past, ongoing abuse, intent to harm
someone; low = distress worth noting (loneliness, bullying, a friend at risk, 死にたくない);
none = everything else, figurative, third-person, news and lessons included. The figures:

- recall of medium+high: labelled medium or high, detected at medium or above (target >= 0.97)
- high identified as high: labelled high, detected high (target >= 0.85)
- false flags on none: labelled none, detected at low or above (target <= 0.05)
- false alarms: labelled none or low, detected at medium or above (what a counsellor would
  be called for without cause)

With --kana every Japanese line is first rewritten without kanji (each kanji word by its
reading: 死にたい as しにたい, 薬を全部飲んだ as くすりをぜんぶのんだ), as children and many
teenagers write; the labels stay. It measures how the detector does on spelling it was not
written in.

By default only the lexicons are measured: the learned second opinion (bot/risk_model.py)
is trained on every file in tests/data, so on those files it would only be measuring its
own memory. --second-opinion adds it, as the bot runs; use it on files it never saw.

The targets are computed over the languages that have a lexicon; languages without one yet
are reported on their own line so the gap stays visible. Misclassified lines are printed
with their text: this is our own test data, and this tool only runs locally.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.risk import Level, RiskDetector, default_detector
from bot.risk_readings import in_kana


def say(*parts: object, file=None) -> None:
    """Write one line of the report (this is a command-line tool: its output is the point)."""
    (file or sys.stdout).write(" ".join(map(str, parts)) + "\n")


DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEFAULT_FILES = (DATA / "risk_labelled.jsonl", DATA / "risk_heldout.jsonl")


@dataclass
class Tally:
    """Counts for one slice of the data (a language, or everything)."""

    total: int = 0
    risky: int = 0  # labelled medium or high
    risky_found: int = 0
    high: int = 0
    high_found: int = 0
    none: int = 0
    none_flagged: int = 0
    calm: int = 0  # labelled none or low
    calm_alarmed: int = 0

    def add(self, label: Level, got: Level) -> None:
        self.total += 1
        if label >= Level.MEDIUM:
            self.risky += 1
            self.risky_found += got >= Level.MEDIUM
        if label == Level.HIGH:
            self.high += 1
            self.high_found += got == Level.HIGH
        if label == Level.NONE:
            self.none += 1
            self.none_flagged += got > Level.NONE
        if label <= Level.LOW:
            self.calm += 1
            self.calm_alarmed += got >= Level.MEDIUM

    @staticmethod
    def ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def recall(self) -> float | None:
        return self.ratio(self.risky_found, self.risky)

    @property
    def high_as_high(self) -> float | None:
        return self.ratio(self.high_found, self.high)

    @property
    def false_flags(self) -> float | None:
        return self.ratio(self.none_flagged, self.none)

    @property
    def false_alarms(self) -> float | None:
        return self.ratio(self.calm_alarmed, self.calm)


@dataclass
class Report:
    """The evaluation of one labelled file."""

    path: Path
    covered: Tally = field(default_factory=Tally)  # languages with a lexicon
    uncovered: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, str, str, tuple[str, ...]]] = field(default_factory=list)


def read_labelled(path: Path) -> Iterable[tuple[str, str, Level]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            yield item["text"], item["lang"], Level.parse(item["level"])
        except (KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: bad labelled line ({exc})") from None


def evaluate(path: Path, detector: RiskDetector, kana: bool = False) -> Report:
    report = Report(path)
    for text, lang, label in read_labelled(path):
        if kana and lang.startswith("ja"):
            text = in_kana(text)
        result = detector.assess(text, lang)
        (report.covered if lang in detector.languages else report.uncovered).add(
            label, result.level
        )
        report.by_lang[lang].add(label, result.level)
        if result.level != label:
            report.misses.append((lang, label.label, result.level.label, text, result.rules))
    return report


def _fmt(value: float | None, part: int, whole: int) -> str:
    return "   -" if value is None else f"{value:.3f} ({part}/{whole})"


def _row(name: str, tally: Tally) -> str:
    return (
        f"{name:<22} n={tally.total:<4} "
        f"recall m+h {_fmt(tally.recall, tally.risky_found, tally.risky):<17} "
        f"high=high {_fmt(tally.high_as_high, tally.high_found, tally.high):<16} "
        f"false flags {_fmt(tally.false_flags, tally.none_flagged, tally.none):<16} "
        f"false alarms {_fmt(tally.false_alarms, tally.calm_alarmed, tally.calm)}"
    )


def print_report(report: Report, quiet: bool, out=sys.stdout) -> None:
    say(f"== {report.path}", file=out)
    say(_row("with a lexicon", report.covered), file=out)
    say(_row("without a lexicon", report.uncovered), file=out)
    for lang in sorted(report.by_lang):
        say(_row(f"  {lang}", report.by_lang[lang]), file=out)
    if quiet:
        return
    say(f"-- misclassified ({len(report.misses)}): lang label -> detected", file=out)
    order = {"high": 0, "medium": 1, "low": 2, "none": 3}
    for lang, label, got, text, rules in sorted(report.misses, key=lambda m: (order[m[1]], m[0])):
        say(f"  {lang} {label:>6} -> {got:<6} {text}   {' '.join(rules)}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument(
        "--file",
        dest="more_files",
        action="append",
        type=Path,
        default=[],
        help="a labelled JSONL file to evaluate (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="figures only, no texts")
    parser.add_argument(
        "--kana", action="store_true", help="rewrite Japanese lines without kanji first"
    )
    parser.add_argument(
        "--second-opinion", action="store_true", help="add the learned model, as the bot runs"
    )
    args = parser.parse_args(argv)
    detector = default_detector() if args.second_opinion else RiskDetector.from_dir()
    for path in [*args.files, *args.more_files] or DEFAULT_FILES:
        print_report(evaluate(path, detector, args.kana), args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
