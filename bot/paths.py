"""Where the data shipped with tsunagari lives: the checkout's flows/ and locales/,
or the copies a wheel carries under bot/_data/."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _data(name: str) -> Path:
    in_checkout = _CHECKOUT / name
    return in_checkout if in_checkout.is_dir() else _PACKAGE / "_data" / name


def flows_dir() -> Path:
    return _data("flows")


def locales_dir() -> Path:
    return _data("locales")


def static_dir() -> Path:
    return _PACKAGE / "web" / "static"
