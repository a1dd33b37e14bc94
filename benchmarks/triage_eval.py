"""How well free-text triage finds the primary category of a message.

    uv run python benchmarks/triage_eval.py                    # the held-out labelled set
    uv run python benchmarks/triage_eval.py --data tests/data/triage_train.jsonl

Top-1: the first suggested category is the primary (first) gold category. Top-3: the
primary gold category is among the first three suggested. "Empty" counts messages that
got no suggestion at all, where the bot asks instead of guessing. The texts printed for
misses come from the labelled file, which is written for testing, never from users.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.triage import Triage

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "data" / "triage_labelled.jsonl"


@dataclass(frozen=True)
class Outcome:
    text: str
    lang: str
    gold: list[str]
    predicted: list[str]

    @property
    def top1(self) -> bool:
        return bool(self.predicted) and self.predicted[0] == self.gold[0]

    @property
    def top3(self) -> bool:
        return self.gold[0] in self.predicted[:3]


def load_labelled(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(triage: Triage, items: list[dict[str, object]]) -> list[Outcome]:
    outcomes = []
    for item in items:
        text, lang, gold = str(item["text"]), str(item["lang"]), list(item["categories"])  # type: ignore[call-overload]
        if not gold:  # a "nothing to suggest" example: scored separately
            continue
        predicted = [label for label, _ in triage.classify(text, lang)]
        outcomes.append(Outcome(text, lang, gold, predicted))
    return outcomes


def accuracy(outcomes: list[Outcome]) -> tuple[float, float]:
    n = len(outcomes) or 1
    return sum(o.top1 for o in outcomes) / n, sum(o.top3 for o in outcomes) / n


def report(name: str, groups: dict[str, list[Outcome]]) -> None:
    print(f"\n{name:<18} {'n':>4} {'top-1':>7} {'top-3':>7} {'empty':>6}")
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        group = groups[key]
        top1, top3 = accuracy(group)
        empty = sum(not o.predicted for o in group)
        print(f"{key:<18} {len(group):>4} {top1:>7.3f} {top3:>7.3f} {empty:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quiet", action="store_true", help="no list of misses")
    args = parser.parse_args()

    started = time.perf_counter()
    triage = Triage.load()
    load_seconds = time.perf_counter() - started

    items = load_labelled(args.data)
    outcomes = evaluate(triage, items)
    timings = []
    for item in items:
        t = time.perf_counter()
        triage.classify(str(item["text"]), str(item["lang"]))
        timings.append(time.perf_counter() - t)

    top1, top3 = accuracy(outcomes)
    print(f"data: {args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data}")
    print(f"messages with a gold category: {len(outcomes)}")
    print(f"top-1 accuracy: {top1:.3f}")
    print(f"top-3 accuracy: {top3:.3f}")
    print(f"no suggestion:  {sum(not o.predicted for o in outcomes)}")
    nothing = [i for i in items if not i["categories"]]
    if nothing:
        quiet = sum(not triage.classify(str(i["text"]), str(i["lang"])) for i in nothing)
        print(f"messages meant to get no suggestion: {len(nothing)}, got none: {quiet}")
    print(f"start-up: {load_seconds:.2f} s; per message: median "
          f"{statistics.median(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms")

    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    by_category: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lang[o.lang].append(o)
        by_category[o.gold[0]].append(o)
    report("language", by_lang)
    report("primary category", by_category)

    if not args.quiet:
        print("\nmissed at top-3 (primary gold | suggested):")
        for o in outcomes:
            if not o.top3:
                print(f"  [{o.lang}] {o.text}\n      {o.gold[0]} | {', '.join(o.predicted) or '-'}")
        print("\nright at top-3 but not top-1:")
        for o in outcomes:
            if o.top3 and not o.top1:
                print(f"  [{o.lang}] {o.text}\n      {o.gold[0]} | {', '.join(o.predicted)}")


if __name__ == "__main__":
    main()
