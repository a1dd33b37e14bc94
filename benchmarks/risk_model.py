"""A learned second opinion on risk: character n-grams and logistic regression (EXPERIMENT).

The lexicon (``bot/risk.py``) knows only the phrasings someone wrote down. This model reads
character 1-4-grams of the same normalised text (so Japanese needs no tokenizer, and the
lexicon's folding of タヒ/氏/emoji applies here too) and is trained at start-up on the
labelled files in ``tests/data`` (never on ``risk_independent3.jsonl``, kept for evaluation).
Two binary models: "medium or above" and "high". Their verdict can only *raise* the
lexicon's level, never lower it: a missed 死にたい costs far more than a false call.

Not wired into the app (it raises hand-written ``none`` decoys in tests/test_risk.py to
medium). ``benchmarks/train_risk_model.py`` trains the medium model here and writes its
weights to a JSON file (the high model may not raise anything, see HIGH_THRESHOLD).
``benchmarks/risk_model_eval.py`` cross-validates and prints what the model changes.
Like the lexicon, nothing here logs or keeps message text beyond the trained weights.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.risk import Level, RiskDetector

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
TRAINING_FILES = (
    "risk_labelled.jsonl",
    "risk_heldout.jsonl",
    "risk_fresh.jsonl",
    "risk_fresh2.jsonl",
    "risk_fresh3.jsonl",
    "risk_independent.jsonl",
    "risk_independent2.jsonl",
)
# Chosen by leave-one-file-out cross-validation on TRAINING_FILES only (see
# benchmarks/risk_model_eval.py, which recomputes and prints them): the lowest probability at
# which the model raises less than 2.5% of the training ``none`` messages the lexicon left
# alone, i.e. half of the 5% false-flag budget.
MEDIUM_THRESHOLD = 0.95
# In cross-validation none of the messages the high model would have raised above the lexicon
# was labelled high (most were none or low), so it may not raise to high.
HIGH_THRESHOLD: float | None = None

NGRAM_SIZES = range(1, 5)
# Sorted, each n-gram once: the features are binary, and a fixed order makes the float sums
# (and so a regenerated weights file) the same whatever PYTHONHASHSEED is.
Features = tuple[str, ...]


def char_ngrams(normalised: str, sizes: range = NGRAM_SIZES) -> Features:
    """Every character n-gram of the text; the padding spaces mark word edges (en, vi)."""
    padded = f" {normalised} "
    return tuple(
        sorted(
            {
                padded[start : start + size]
                for size in sizes
                for start in range(len(padded) - size + 1)
            }
        )
    )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class LogisticModel:
    """Binary logistic regression over binary features (absent features weigh nothing)."""

    weights: dict[str, float]
    bias: float

    def probability(self, features: Features) -> float:
        weights = self.weights
        return _sigmoid(self.bias + sum(weights.get(f, 0.0) for f in features))

    @classmethod
    def train(
        cls, examples: Sequence[tuple[Features, bool]], epochs: int = 6, rate: float = 0.5
    ) -> LogisticModel:
        """Adagrad over shuffled examples (a fixed seed, so a build is reproducible).

        Adagrad gives each n-gram its own step size: rare n-grams (most of them) still learn
        in a few passes, which keeps start-up training well under a second.
        """
        weights: dict[str, float] = {}
        squared: dict[str, float] = {}
        bias = 0.0
        order = list(range(len(examples)))
        shuffle = random.Random(0).shuffle
        for _ in range(epochs):
            shuffle(order)
            for index in order:
                features, label = examples[index]
                error = _sigmoid(bias + sum(weights.get(f, 0.0) for f in features)) - label
                bias -= 0.05 * rate * error
                for f in features:
                    total = squared.get(f, 1e-8) + error * error
                    squared[f] = total
                    weights[f] = weights.get(f, 0.0) - rate * error / math.sqrt(total)
        return cls(weights, bias)


@dataclass(frozen=True)
class Example:
    source: str  # file name, for leave-one-file-out cross-validation
    text: str
    normalised: str
    label: Level


def read_examples(normalise: Callable[[str], str], files: Iterable[str]) -> list[Example]:
    """Labelled lines, normalised, each distinct normalised text once (first label wins)."""
    seen: set[str] = set()
    examples: list[Example] = []
    for name in files:
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            normalised = normalise(item["text"])
            if normalised not in seen:
                seen.add(normalised)
                examples.append(
                    Example(name, item["text"], normalised, Level.parse(item["level"]))
                )
    return examples


@dataclass(frozen=True)
class RiskModel:
    """The two trained models and the thresholds at which they may raise a level."""

    normalise: Callable[[str], str]
    risky: LogisticModel  # medium or high
    high: LogisticModel
    medium_threshold: float = MEDIUM_THRESHOLD
    high_threshold: float | None = HIGH_THRESHOLD

    @classmethod
    def train(
        cls,
        detector: RiskDetector,
        files: Iterable[str] = TRAINING_FILES,
        medium_threshold: float = MEDIUM_THRESHOLD,
        high_threshold: float | None = HIGH_THRESHOLD,
    ) -> RiskModel:
        examples = read_examples(detector.normalise, files)
        return cls.from_examples(detector.normalise, examples, medium_threshold, high_threshold)

    @classmethod
    def from_examples(
        cls,
        normalise: Callable[[str], str],
        examples: Sequence[Example],
        medium_threshold: float = MEDIUM_THRESHOLD,
        high_threshold: float | None = HIGH_THRESHOLD,
    ) -> RiskModel:
        featured = [(char_ngrams(e.normalised), e.label) for e in examples]
        risky = LogisticModel.train([(f, label >= Level.MEDIUM) for f, label in featured])
        high = LogisticModel.train([(f, label == Level.HIGH) for f, label in featured])
        return cls(normalise, risky, high, medium_threshold, high_threshold)

    def probabilities(self, text: str) -> tuple[float, float]:
        """(P(medium or high), P(high)) for one raw message."""
        features = char_ngrams(self.normalise(text))
        return self.risky.probability(features), self.high.probability(features)

    def level(self, text: str) -> Level:
        """The level the model alone would give: none, medium or (if allowed) high."""
        risky, high = self.probabilities(text)
        if self.high_threshold is not None and high >= self.high_threshold:
            return Level.HIGH
        return Level.MEDIUM if risky >= self.medium_threshold else Level.NONE


def combined_level(lexicon: Level, model: Level) -> Level:
    """The lexicon's level, raised (never lowered) by the model's."""
    return max(lexicon, model)
