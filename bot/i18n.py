"""Locales: every string a person or counsellor reads, looked up by key.

Each ``locales/<code>/`` folder holds ``locale.yaml`` (its name, and for a variant such
as children's Japanese the locale it falls back to) and message files, nested YAML
flattened into dotted keys (``guide.ask_age``). Placeholders are ``{name}``.

A full locale must define every key; a variant defines only what it changes. The
check that every key used by the flows exists in every locale runs at start-up
(``bot.engine.validate``) and in the tests.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import messages as m
from bot.paths import locales_dir

MESSAGE_FILES = ("messages.yaml", "catalog.yaml", "content.yaml", "sheet.yaml", "console.yaml")


class LocaleError(ValueError):
    pass


def _flatten(prefix: str, node: Any, out: dict[str, str], source: str) -> None:
    if isinstance(node, Mapping):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, source)
    elif isinstance(node, str):
        if prefix in out:
            raise LocaleError(f"{source}: key {prefix} defined twice")
        out[prefix] = node
    else:
        raise LocaleError(f"{source}: {prefix} must be a string, not {type(node).__name__}")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        # A missing parameter shows as its name rather than failing a reply to a person.
        return "{" + key + "}"


@dataclass(frozen=True)
class Locale:
    code: str
    name: str
    fallback: str | None
    strings: Mapping[str, str]
    selectable: bool = True  # offered in the language menu (variants like ja-kids are not)


class Locales:
    def __init__(self, locales: Mapping[str, Locale], default: str) -> None:
        if default not in locales:
            raise LocaleError(f"default locale {default!r} not found")
        self._locales = dict(locales)
        self.default = default
        # Values every text may use (e.g. {days}, the retention period), set at start-up.
        self.globals: dict[str, Any] = {}

    @classmethod
    def load(cls, directory: Path | None = None, default: str = "ja") -> Locales:
        directory = directory or locales_dir()
        found: dict[str, Locale] = {}
        for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
            meta_file = folder / "locale.yaml"
            if not meta_file.exists():
                continue
            meta = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
            strings: dict[str, str] = {}
            for name in MESSAGE_FILES:
                file = folder / name
                if file.exists():
                    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
                    _flatten("", data, strings, str(file))
            found[folder.name] = Locale(
                code=folder.name,
                name=str(meta.get("name", folder.name)),
                fallback=meta.get("fallback"),
                strings=strings,
                selectable=bool(meta.get("selectable", True)),
            )
        for loc in found.values():
            if loc.fallback and loc.fallback not in found:
                raise LocaleError(f"{loc.code}: fallback {loc.fallback!r} not found")
        return cls(found, default)

    @property
    def codes(self) -> list[str]:
        return list(self._locales)

    def get(self, code: str) -> Locale:
        return self._locales.get(code) or self._locales[self.default]

    def selectable(self) -> list[str]:
        return [code for code, loc in self._locales.items() if loc.selectable]

    def full_locales(self) -> list[Locale]:
        return [loc for loc in self._locales.values() if not loc.fallback]

    def variants(self) -> list[Locale]:
        return [loc for loc in self._locales.values() if loc.fallback]

    def has(self, code: str) -> bool:
        return code in self._locales

    def lookup(self, code: str, key: str) -> str | None:
        loc: Locale | None = self.get(code)
        while loc is not None:
            if key in loc.strings:
                return loc.strings[key]
            loc = self._locales.get(loc.fallback) if loc.fallback else None
        return None

    def text(self, code: str, key: str, params: Mapping[str, Any] | None = None) -> str:
        template = self.lookup(code, key)
        if template is None:
            template = self.lookup(self.default, key)
        if template is None:
            raise LocaleError(f"no text for {key!r} in {code!r}")
        if "{" not in template:
            return template
        return template.format_map(_Params({**self.globals, **(params or {})}))

    def missing(self, used: Iterable[str]) -> list[str]:
        """Problems: keys used but not defined, and placeholder mismatches between locales."""
        problems: list[str] = []
        used = sorted(set(used))
        reference = self._locales[self.default]
        for loc in self.full_locales():
            for key in used:
                if key not in loc.strings:
                    problems.append(f"locales/{loc.code}: missing key {key}")
            for key, text in loc.strings.items():
                ref = reference.strings.get(key)
                if ref is not None and placeholders(ref) != placeholders(text):
                    problems.append(
                        f"locales/{loc.code}: {key} has placeholders {sorted(placeholders(text))}"
                        f", {reference.code} has {sorted(placeholders(ref))}"
                    )
        for loc in self.variants():
            for key, text in loc.strings.items():
                base = self.lookup(loc.fallback or self.default, key)
                if base is None:
                    problems.append(
                        f"locales/{loc.code}: {key} overrides no key of {loc.fallback}"
                    )
                elif placeholders(base) != placeholders(text):
                    problems.append(f"locales/{loc.code}: {key} placeholders differ from base")
        return problems

    def resolve(self, code: str, say: m.Say) -> str:
        """A ``Say`` whose parameters may themselves be ``Say``s or tuples of them."""
        return self.text(code, say.key, {k: self._param(code, v) for k, v in say.params.items()})

    def _param(self, code: str, value: Any) -> Any:
        if isinstance(value, m.Say):
            return self.resolve(code, value)
        if isinstance(value, tuple) and all(isinstance(v, m.Say | str) for v in value):
            sep = self.lookup(code, "catalog.list_separator") or "、"
            return sep.join(self._param(code, v) for v in value)
        return value

    # --- rendering a Reply -----------------------------------------------------------------

    def render(self, reply: m.Reply, code: str) -> m.RenderedReply:
        parts: list[m.RenderedPart] = []
        cards: list[m.RenderedCard] = []

        def flush_cards() -> None:
            if cards:
                alt = self.text(code, "card.alt_text", {"count": len(cards)})
                parts.append(m.RenderedCards(tuple(cards), alt))
                cards.clear()

        for part in reply.parts:
            if isinstance(part, m.Card):
                cards.append(self._render_card(part, code))
                continue
            flush_cards()
            if isinstance(part, m.Say):
                parts.append(m.RenderedText(self.resolve(code, part), part.key))
            else:
                parts.append(m.RenderedLink(self.text(code, part.label), part.url, part.download))
        flush_cards()
        choices = tuple(
            m.RenderedChoice(c.id, self.text(code, c.label, c.params)) for c in reply.choices
        )
        return m.RenderedReply(
            tuple(parts),
            choices,
            code,
            more_label=self.text(code, "common.more_choices"),
            choice_offset=reply.choice_offset,
        )

    def _render_card(self, card: m.Card, code: str) -> m.RenderedCard:
        def txt(value: str) -> str:
            return value if card.literal else self.text(code, value)

        return m.RenderedCard(
            title=txt(card.title),
            body=txt(card.body),
            hours=txt(card.hours) if card.hours else "",
            badges=tuple(self.text(code, b) for b in card.badges),
            actions=tuple(
                m.RenderedAction(a.kind, self.text(code, a.label, a.params), a.value)
                for a in card.actions
            ),
        )
