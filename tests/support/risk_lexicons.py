"""A risk detector without some lexicons, to show what loading them changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.risk import RiskDetector, default_locales_dir


def detector_without(langs: tuple[str, ...], root: Path) -> RiskDetector:
    """Every lexicon but those of ``langs`` (copied under ``root``)."""
    source = default_locales_dir()
    shutil.copy(source / "risk-normalise.yaml", root / "risk-normalise.yaml")
    for path in source.glob("*/risk.yaml"):
        if path.parent.name not in langs:
            (root / path.parent.name).mkdir()
            shutil.copy(path, root / path.parent.name / "risk.yaml")
    return RiskDetector.from_dir(root)
