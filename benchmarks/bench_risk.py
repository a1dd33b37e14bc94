"""Cost of risk detection per message, against a floor measured in the same run.

    uv run python benchmarks/bench_risk.py [--rounds N]

Times the bot's ``RiskDetector.assess`` (every lexicon and the learned second opinion)
over every message of the labelled files (many rounds; the best
round counts, as the least disturbed by other work on the machine), and in the same run a
reference that any detector must pay at least: ``unicodedata.normalize("NFKC", text)`` plus
one precompiled ``re.search`` of a single pattern on the same texts. Prints microseconds per
message for both and their ratio. Budget: 50 µs per message. A benchmark, not a test.

The labelled messages are half risk messages, half hard negatives that share their words.
Everyday messages cost about as much (a message the rules leave calm is read by the learned
second opinion too), so they are timed as well: risk_train_g.jsonl, calm telegraphic lines
such as 「いま駅。もうすぐ着く」.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.risk import default_detector


def say(*parts: object, file=None) -> None:
    """Write one line of the report (this is a command-line tool: its output is the point)."""
    (file or sys.stdout).write(" ".join(map(str, parts)) + "\n")


DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FILES = (DATA / "risk_labelled.jsonl", DATA / "risk_heldout.jsonl")
EVERYDAY = (DATA / "risk_train_g.jsonl",)
BUDGET_US = 50.0


def load_texts(files: Sequence[Path] = FILES) -> list[tuple[str, str]]:
    texts = []
    for path in files:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    texts.append((item["text"], item["lang"]))
    return texts


def per_message_us(
    run: Callable[[str, str], object], texts: Sequence[tuple[str, str]], rounds: int
) -> tuple[float, float]:
    """Best and median microseconds per message over ``rounds`` passes."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        for text, lang in texts:
            run(text, lang)
        results.append((time.perf_counter_ns() - started) / len(texts) / 1000)
    return min(results), statistics.median(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    detector = default_detector()  # as the bot runs: every lexicon and the second opinion
    build_ms = (time.perf_counter() - started) * 1000
    texts = load_texts()
    if not texts:
        say("no labelled texts found under tests/data", file=sys.stderr)
        return 1

    single = re.compile("死にたい|消えたい")

    def reference(text: str, lang: str) -> object:
        return single.search(unicodedata.normalize("NFKC", text))

    per_message_us(detector.assess, texts, 3)  # warm up
    best, median = per_message_us(detector.assess, texts, args.rounds)
    ref_best, ref_median = per_message_us(reference, texts, args.rounds)
    normalise_best, _ = per_message_us(lambda t, _: detector.normalise(t), texts, args.rounds)
    everyday = load_texts(EVERYDAY)
    everyday_best, everyday_median = (
        per_message_us(detector.assess, everyday, args.rounds) if everyday else (0.0, 0.0)
    )

    say(
        f"messages: {len(texts)} x {args.rounds} rounds; detector built in {build_ms:.0f} ms "
        f"({len(detector.entries)} entries, languages {', '.join(detector.languages)})"
    )
    say(f"assess                       best {best:7.2f} µs/msg   median {median:7.2f}")
    say(f"  of which normalise         best {normalise_best:7.2f} µs/msg")
    say(f"reference NFKC + 1 re.search best {ref_best:7.2f} µs/msg   median {ref_median:7.2f}")
    if everyday:
        say(
            f"assess, {len(everyday)} everyday msgs best {everyday_best:7.2f} µs/msg   "
            f"median {everyday_median:7.2f}"
        )
    say(
        f"ratio assess / reference     {best / ref_best:7.1f}x (best)   "
        f"{median / ref_median:5.1f}x (median)"
    )
    verdict = "within" if median <= BUDGET_US else "OVER"
    say(f"budget {BUDGET_US:.0f} µs/msg: {verdict} (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
