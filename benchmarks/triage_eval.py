"""How well free-text triage finds the primary category of a message.

    uv run python benchmarks/triage_eval.py                    # the held-out labelled set
    uv run python benchmarks/triage_eval.py --data tests/data/triage_train.jsonl
    uv run python benchmarks/triage_eval.py --compare          # against the alternatives

``--compare`` scores the approaches weighed for bot/triage.py on the same set: the
lexicon as shipped; the same lexicon matched as plain substrings without SudachiPy (no
kana readings, word starts or particle folding); a character 1-3-gram multinomial naive
Bayes trained on tests/data/triage_train.jsonl; and the lexicon with that model added.

Top-1: the first suggested category is the primary (first) gold category. Top-3: the
primary gold category is among the first three suggested. "Empty" counts messages that
got no suggestion at all, where the bot asks instead of guessing. The texts printed for
misses come from the labelled file, which is written for testing, never from users.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.triage import JapaneseReader, Triage, fold_kana

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "data" / "triage_labelled.jsonl"
TRAIN_DATA = ROOT / "tests" / "data" / "triage_train.jsonl"

Classifier = Callable[[str, str], list[str]]


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


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


def evaluate(classify: Classifier, items: list[dict[str, object]]) -> list[Outcome]:
    outcomes = []
    for item in items:
        text, lang, gold = str(item["text"]), str(item["lang"]), list(item["categories"])  # type: ignore[call-overload]
        if not gold:  # a "nothing to suggest" example: scored separately
            continue
        outcomes.append(Outcome(text, lang, gold, classify(text, lang)))
    return outcomes


def lexicon_classifier(triage: Triage) -> Classifier:
    return lambda text, lang: [label for label, _ in triage.classify(text, lang)]


class PlainReader(JapaneseReader):
    """The lexicon without SudachiPy: folded substrings, no readings, no particle folding."""

    def __init__(self) -> None:  # no dictionary loaded
        pass

    def words(self, text: str) -> tuple[str, frozenset[int]]:
        view = re.sub(r"\s+", "", fold_kana(text))
        return view, frozenset(range(len(view) + 1))

    def reading(self, phrase: str) -> str:
        return self.words(phrase)[0]


class NaiveBayes:
    """Multinomial naive Bayes over character 1-3-grams of the folded text."""

    def __init__(self, items: list[dict[str, object]], alpha: float = 0.1) -> None:
        self.alpha = alpha
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.docs: Counter[str] = Counter()
        for item in items:
            labels = list(item["categories"]) or ["none"]  # type: ignore[call-overload]
            grams = self.grams(str(item["text"]))
            for label in labels:
                self.counts[label].update(grams)
                self.docs[label] += 1
        self.vocab = {g for c in self.counts.values() for g in c}
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}

    @staticmethod
    def grams(text: str) -> list[str]:
        t = re.sub(r"\s+", " ", fold_kana(text)).strip()
        return [t[i : i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1)]

    def posteriors(self, text: str) -> dict[str, float]:
        grams, n_docs, v = self.grams(text), sum(self.docs.values()), len(self.vocab)
        logp = {}
        for label, counts in self.counts.items():
            denominator = self.totals[label] + self.alpha * v
            logp[label] = math.log(self.docs[label] / n_docs) + sum(
                math.log((counts[g] + self.alpha) / denominator) for g in grams
            )
        top = max(logp.values())
        z = sum(math.exp(x - top) for x in logp.values())
        return {label: math.exp(x - top) / z for label, x in logp.items()}

    def classify(self, text: str, lang: str) -> list[str]:
        post = self.posteriors(text)
        ranked = sorted(post, key=lambda k: -post[k])
        return [] if ranked[0] == "none" else [c for c in ranked if c != "none"]


def combined_classifier(triage: Triage, model: NaiveBayes) -> Classifier:
    """Lexicon scores plus 2 x the model's posterior; the model alone suggests at p >= 0.5."""

    def classify(text: str, lang: str) -> list[str]:
        post = model.posteriors(text)
        scores = dict(triage.classify(text, lang))
        for label, p in post.items():
            if label != "none" and (label in scores or p >= 0.5):
                scores[label] = scores.get(label, 0.0) + 2 * p
        return sorted(scores, key=lambda k: -scores[k])

    return classify


def compare(items: list[dict[str, object]]) -> None:
    shipped = Triage.load()
    model = NaiveBayes(load_labelled(TRAIN_DATA))
    approaches: dict[str, Classifier] = {
        "lexicon + SudachiPy (shipped)": lexicon_classifier(shipped),
        "lexicon, plain substrings": lexicon_classifier(Triage.load(reader=PlainReader())),
        "char n-gram naive Bayes": model.classify,
        "lexicon + naive Bayes": combined_classifier(shipped, model),
    }
    children = [i for i in items if _is_kana_only(str(i["text"]))]
    say(
        f"all messages (n={len(items)}); kana-only Japanese, as young children write "
        f"(n={len(children)})"
    )
    say(f"{'approach':<32} {'top-1':>7} {'top-3':>7} {'kana top-1':>11} {'kana top-3':>11}")
    for name, classify in approaches.items():
        top1, top3 = accuracy(evaluate(classify, items))
        k1, k3 = accuracy(evaluate(classify, children))
        say(f"{name:<32} {top1:>7.3f} {top3:>7.3f} {k1:>11.3f} {k3:>11.3f}")


def _is_kana_only(text: str) -> bool:
    """Written without kanji, as young children write (がっこういきたくない)."""
    return bool(re.search(r"[\u3040-\u30ff]", text)) and not re.search(r"[\u4e00-\u9fff]", text)


def accuracy(outcomes: list[Outcome]) -> tuple[float, float]:
    n = len(outcomes) or 1
    return sum(o.top1 for o in outcomes) / n, sum(o.top3 for o in outcomes) / n


def report(name: str, groups: dict[str, list[Outcome]]) -> None:
    say(f"\n{name:<18} {'n':>4} {'top-1':>7} {'top-3':>7} {'empty':>6}")
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        group = groups[key]
        top1, top3 = accuracy(group)
        empty = sum(not o.predicted for o in group)
        say(f"{key:<18} {len(group):>4} {top1:>7.3f} {top3:>7.3f} {empty:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quiet", action="store_true", help="no list of misses")
    parser.add_argument("--compare", action="store_true", help="score the alternatives too")
    args = parser.parse_args()
    if args.compare:
        compare(load_labelled(args.data))
        return

    started = time.perf_counter()
    triage = Triage.load()
    load_seconds = time.perf_counter() - started

    items = load_labelled(args.data)
    outcomes = evaluate(lexicon_classifier(triage), items)
    timings = []
    for item in items:
        t = time.perf_counter()
        triage.classify(str(item["text"]), str(item["lang"]))
        timings.append(time.perf_counter() - t)

    top1, top3 = accuracy(outcomes)
    say(f"data: {args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data}")
    say(f"messages with a gold category: {len(outcomes)}")
    say(f"top-1 accuracy: {top1:.3f}")
    say(f"top-3 accuracy: {top3:.3f}")
    say(f"no suggestion:  {sum(not o.predicted for o in outcomes)}")
    nothing = [i for i in items if not i["categories"]]
    if nothing:
        quiet = sum(not triage.classify(str(i["text"]), str(i["lang"])) for i in nothing)
        say(f"messages meant to get no suggestion: {len(nothing)}, got none: {quiet}")
    say(
        f"start-up: {load_seconds:.2f} s; per message: median "
        f"{statistics.median(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms"
    )

    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    by_category: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lang[o.lang].append(o)
        by_category[o.gold[0]].append(o)
    report("language", by_lang)
    report("primary category", by_category)

    if not args.quiet:
        say("\nmissed at top-3 (primary gold | suggested):")
        for o in outcomes:
            if not o.top3:
                say(f"  [{o.lang}] {o.text}\n      {o.gold[0]} | {', '.join(o.predicted) or '-'}")
        say("\nright at top-3 but not top-1:")
        for o in outcomes:
            if o.top3 and not o.top1:
                say(f"  [{o.lang}] {o.text}\n      {o.gold[0]} | {', '.join(o.predicted)}")


if __name__ == "__main__":
    main()
