"""A learned second opinion on risk: character n-grams and logistic regression.

The lexicons know the phrasings someone wrote down, and every independent set of new
wording finds hints they miss (「橋の上。下の川まっくらできれい」). This model reads
character 1-3-grams of the same normalised text (so no language needs a tokenizer, and the
normaliser's folding of タヒ/氏/emoji applies here too) and gives the probability that a
message is at medium risk or above.

It may only *raise* a message the lexicons left below medium to medium, with the reason
``learned_signal``: the warm acknowledgement, the lines and the offer of a person, never the
110/119 reply or the counsellor queue, and never a lower level. A false medium costs a
gentle message; a missed one can cost a life.

The weights are data (``locales/risk-model.json``), made from the labelled sets in
``tests/data`` by ``benchmarks/train_risk_model.py`` (deterministic: the same data gives
the same file), which also picks the threshold by cross-validation. Nothing here logs or
keeps message text.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

NGRAM_SIZES = (1, 2, 3)
# Training sums each message's n-grams in this order, so a regenerated file is identical
# whatever PYTHONHASHSEED is.
Features = tuple[str, ...]


def char_ngrams(normalised: str, sizes: Sequence[int] = NGRAM_SIZES) -> Features:
    """Each distinct character n-gram of the text, sorted; spaces pad the word edges."""
    padded = f" {normalised} "
    grams = {padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)}
    return tuple(sorted(grams))


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
        weights, sizes = self.weights, self.sizes
        padded = f" {normalised} "
        grams = {padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)}
        return _sigmoid(self.bias + sum(weights.get(gram, 0.0) for gram in grams))

    def flags(self, normalised: str) -> bool:
        return self.probability(normalised) >= self.threshold

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

    def as_json(self, sources: Iterable[Mapping[str, object]]) -> dict[str, object]:
        """The file form: rounded weights (tiny ones dropped), sorted, with what made them."""
        kept = {g: round(w, 4) for g, w in sorted(self.weights.items()) if abs(w) >= 0.005}
        return {
            "kind": "risk-model",
            "description": (
                "Character n-gram logistic regression: P(medium or high) of a normalised "
                "message. Made by benchmarks/train_risk_model.py; see bot/risk_model.py."
            ),
            "sizes": list(self.sizes),
            "threshold": self.threshold,
            "bias": round(self.bias, 6),
            "trained_on": list(sources),
            "weights": kept,
        }

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") != "risk-model":
            raise ValueError(f"{path}: not a risk-model file")
        return cls(
            weights=data["weights"],
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            sizes=tuple(data["sizes"]),
        )
