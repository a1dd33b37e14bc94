"""A learned second opinion on risk: character n-grams and logistic regression.

The lexicons know the phrasings someone wrote down, and every independent set of new
wording finds hints they miss (「橋の上。下の川まっくらできれい」). Two models read character
1-3-grams of the same normalised text (so no language needs a tokenizer, and the
normaliser's folding of タヒ/氏/emoji applies here too):

- ``medium``: P(medium or high). It may raise a message the rules left below medium to
  medium: the warm acknowledgement, the lines and the offer of a person.
- ``high``: P(high). It may raise a message already at medium (by the rules or by the first
  model) to high: 110/119 first and the counsellor queue at the top. Its threshold is set
  on the messages a rule put at medium. A bag of n-grams has no context: the telegraphic
  style of plans told in hints is also how people announce an arrival
  (「いま駅。もうすぐ着く」 goes to high), the price of the plans it catches.

Neither ever lowers a level; the reason given is ``learned_signal``. Their weights are data
(``locales/risk-model.json``), made from the labelled sets in ``tests/data`` by
``benchmarks/train_risk_model.py`` (deterministic: the same data gives the same file), which
also picks each threshold by cross-validation. Nothing here logs or keeps message text.
"""

from __future__ import annotations

import json
import math
import operator
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NGRAM_SIZES = (1, 2, 3)
Features = tuple[str, ...]


def char_ngrams(normalised: str, sizes: Sequence[int] = NGRAM_SIZES) -> Features:
    """The n-grams in a fixed order, for training: its float sums then come out the same
    whatever PYTHONHASHSEED is, and so does a regenerated weights file."""
    return tuple(sorted(grams_of(normalised, sizes)))


def grams_of(normalised: str, sizes: Sequence[int] = NGRAM_SIZES) -> set[str]:
    """Each distinct character n-gram of the text (spaces pad the word edges), unsorted:
    what the models score at run time."""
    padded = f" {normalised} "
    if tuple(sizes) != (1, 2, 3):
        return {padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)}
    pairs = list(map(operator.add, padded, padded[1:]))
    grams = set(padded)
    grams.update(pairs)
    grams.update(map(operator.add, pairs, padded[2:]))
    return grams


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class RiskModel:
    """P(medium or high | text), and the probability from which it raises a level."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    sizes: tuple[int, ...] = NGRAM_SIZES

    def probability(self, normalised: str) -> float:
        return self.probability_of(grams_of(normalised, self.sizes))

    def probability_of(self, grams: Iterable[str]) -> float:
        # map/filter rather than a generator: this runs on nearly every message.
        return _sigmoid(self.bias + sum(filter(None, map(self.weights.get, grams))))

    def flags(self, grams: Iterable[str]) -> bool:
        """Whether the message with these n-grams (``grams_of``) reaches the threshold."""
        return self.probability_of(grams) >= self.threshold

    @classmethod
    def train(
        cls, examples: Sequence[tuple[str, bool]], threshold: float, epochs: int = 6
    ) -> RiskModel:
        """Adagrad over (normalised text, at risk) pairs, shuffled with a fixed seed.

        Adagrad gives each n-gram its own step size, so the rare n-grams (most of them)
        still learn in a few passes and training stays around a second.
        """
        featured = [(char_ngrams(text), label) for text, label in examples]
        weights: dict[str, float] = {}
        squared: dict[str, float] = {}
        bias = 0.0
        order = list(range(len(featured)))
        shuffle = random.Random(0).shuffle
        for _ in range(epochs):
            shuffle(order)
            for index in order:
                features, label = featured[index]
                error = _sigmoid(bias + sum(weights.get(f, 0.0) for f in features)) - label
                bias -= 0.025 * error
                for f in features:
                    total = squared.get(f, 1e-8) + error * error
                    squared[f] = total
                    weights[f] = weights.get(f, 0.0) - 0.5 * error / math.sqrt(total)
        return cls(weights, bias, threshold)

    def as_json(self) -> dict[str, object]:
        """The file form: rounded weights (tiny ones dropped), sorted."""
        kept = {g: round(w, 4) for g, w in sorted(self.weights.items()) if abs(w) >= 0.005}
        return {"threshold": self.threshold, "bias": round(self.bias, 6), "weights": kept}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], sizes: Sequence[int]) -> RiskModel:
        return cls(data["weights"], float(data["bias"]), float(data["threshold"]), tuple(sizes))


@dataclass(frozen=True)
class SecondOpinion:
    """The two models (``RiskDetector.assess`` applies them: raise step by step, never lower)."""

    medium: RiskModel
    high: RiskModel

    def as_json(self, sources: Iterable[Mapping[str, object]]) -> dict[str, object]:
        return {
            "kind": "risk-model",
            "description": (
                "Character n-gram logistic regressions: P(medium or high) and P(high) of a "
                "normalised message. Made by benchmarks/train_risk_model.py; see "
                "bot/risk_model.py."
            ),
            "sizes": list(self.medium.sizes),
            "trained_on": list(sources),
            "medium": self.medium.as_json(),
            "high": self.high.as_json(),
        }

    @classmethod
    def load(cls, path: Path) -> SecondOpinion:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") != "risk-model":
            raise ValueError(f"{path}: not a risk-model file")
        sizes = data["sizes"]
        medium, high = (RiskModel.from_json(data[name], sizes) for name in ("medium", "high"))
        return cls(medium, high)
