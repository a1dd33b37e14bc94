"""Risk detection on every message: normalise, match the lexicons, grade none/low/medium/high.

Everything that says *what* is risky is data: ``locales/<lang>/risk.yaml`` (rules and
overrides, one file per language) and ``locales/risk-normalise.yaml`` (emoji and
obfuscations such as 氏/4/タヒ for 死), both validated against
``flows/schema/risk.schema.json`` when the detector is built. This module only knows how
to fold text and how to combine matches:

- A rule match raises the level to the rule's level.
- An override match (figurative 死ぬほど, third-person 祖父が死んだ, news 自殺防止, negated
  死にたくない, ...) silences only the rule matches that lie *wholly inside* its span, and
  adds its own level if it has one. So an exclusion can never hide a risk phrase that
  reaches outside it: 「死ぬほどつらい、もう死にたい」 stays medium.
- A rule pattern may name the word that carries its meaning with a group ``(?P<core>...)``
  (今から…死ぬ: the core is 死ぬ). Then an override silences the match when it covers that
  core, since it has reinterpreted the very word (今日テスト死ぬ: テスト死ぬ is figurative,
  so 今日 cannot make it an act). Without a core group the whole match must lie inside.
- A ``fallback`` rule (the safety net: 自殺, リスカ, 死にたい... in a form no other rule
  understood) only counts when no other rule reached its level, so its reason
  (``risk_word_unclear``) tells the counsellor that a risk word was seen but not understood.
- A ``together`` rule lists cues that mean little alone and much side by side, anywhere in
  the message (いま屋上 … 下見てる; a goodbye … もう戻らない): it fires only when every cue
  matches and none of those matches is silenced. It is how a plan told in hints, with no word
  of dying, still reaches its level.
- A learned second opinion (``bot/risk_model.py``) may raise a level a step at a time:
  below medium to medium, then medium to high (reason ``learned_signal``); never lower.
- Every loaded language is checked on every message, whatever ``lang`` says: people mix
  languages, and a missed 死にたい costs far more than a few microseconds.

Everything is compiled once when a ``RiskDetector`` is built; ``assess`` does no I/O and
never logs: message text is personal data.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from re import _constants as _sre  # type: ignore[attr-defined]  # re's own parser, for anchors
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import IO, Any

import ahocorasick

from bot import paths
from bot.risk_model import SecondOpinion, grams_of
from bot.risk_readings import KANJI_ONLY, Reader, sudachi_reader, with_readings
from bot.risk_romaji import looks_like_romaji, romaji_to_kana
from bot.yamldata import DataError, SourcedData, load_checked


class Level(IntEnum):
    """How urgent a message looks; ordered so that ``max`` and ``>=`` work."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Level:
        return cls[label.upper()]


# Canonical order of reason codes in an Assessment (most urgent kinds first).
REASONS: tuple[str, ...] = (
    "suicide_plan_imminent",
    "overdose",
    "self_harm_in_progress",
    "violence_now",
    "threat_to_life",
    "suicidal_ideation",
    "self_harm",
    "abuse_ongoing",
    "harm_to_others",
    "risk_word_unclear",
    "learned_signal",
    "distress",
)
_REASON_ORDER = {code: index for index, code in enumerate(REASONS)}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The grade of one message: its level, why (reason codes), and which data entries fired."""

    level: Level
    reasons: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"level": self.level.label, "reasons": list(self.reasons)}


NO_RISK = Assessment(Level.NONE)
LEARNED_RULE = "model:learned_signal"  # in Assessment.rules when the second opinion raised it


class RiskDataError(ValueError):
    """A risk data file is malformed; the message names the file and line."""


# --- folding: the fixed Unicode facts, applied to messages and to patterns alike -------------

_SMALL_KANA = "ぁぃぅぇぉゃゅょゎゕゖ"
_LARGE_KANA = "あいうえおやゆよわかけ"
_DELETED = "ー〜~〰\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F1E6, 0x1F1FF))
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0000, 0xE007F))
# A small vowel after a kana of the same vowel only stretches it (しにたぁぁい, つらぁい): drop
# it. Other small vowels are part of a sound (ふぁ, てぃ) or a style (死にたぃ) and become large.
_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_VOWEL_ROWS = {
    "ぁ": "あかさたなはまやらわがざだばぱ",
    "ぃ": "いきしちにひみりぎじぢびぴ",
    "ぅ": "うくすつぬふむゆるぐずづぶぷ",
    "ぇ": "えけせてねへめれげぜでべぺ",
    "ぉ": "おこそとのほもよろをごぞどぼぽ",
}
_SMALL_VOWEL_STRETCH = re.compile(
    "|".join(
        f"(?<=[{row}{row.translate(_TO_KATAKANA)}])[{vowel}{vowel.translate(_TO_KATAKANA)}]+"
        for vowel, row in _VOWEL_ROWS.items()
    )
)
_ANY_SMALL_VOWEL = re.compile("[ぁぃぅぇぉァィゥェォ]")


def _kana_fold_table() -> dict[int, str | None]:
    """Katakana to hiragana, small kana to large; long-vowel marks and invisibles out."""
    table: dict[int, str | None] = {}
    for code in range(0x30A1, 0x30F7):  # ァ..ヶ
        table[code] = chr(code - 0x60)
    for small, large in zip(_SMALL_KANA, _LARGE_KANA, strict=True):
        table[ord(small)] = large
        table[ord(small) + 0x60] = large  # its katakana form
    table[ord("ヵ")] = "か"
    table[ord("ヶ")] = "け"
    for char in _DELETED:
        table[ord(char)] = None
    for first, last in _VARIATION_SELECTORS:
        for code in range(first, last + 1):
            table[code] = None
    return table


_KANA_FOLD = _kana_fold_table()


def _drop_vowel_stretch(text: str) -> str:
    """Remove small vowels that only stretch the kana before them (in either script)."""
    if _ANY_SMALL_VOWEL.search(text) is None:
        return text
    return _SMALL_VOWEL_STRETCH.sub("", text)


def fold(text: str) -> str:
    """The folding shared by messages and patterns: kana script and size, long vowels."""
    return _drop_vowel_stretch(text).translate(_KANA_FOLD)


def _latin_base(char: str) -> str | None:
    """The bare ASCII letter under a Latin letter with diacritics (ế -> e, đ -> d), if any."""
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    if len(decomposed) > 1 and base.isascii() and base.isalpha():
        return base.lower()
    return None


def _diacritics_optional(pattern: str) -> str:
    """Let each accented letter in a pattern also match its bare letter, and nothing else.

    Vietnamese (and Portuguese) are often typed without diacritics, but 「từ từ」 (slowly)
    must not match 「tự tử」 (suicide) when the writer did type them: so ``ự`` becomes
    ``[ựu]``, never a bare ``u`` that would also accept ``ừ``.
    """
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(char + next(chars, ""))
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out and out[-1] not in "[^":
            in_class = False
        base = _latin_base(char) if ord(char) > 0x7F else None
        if base is None:
            out.append(char)
        elif in_class:
            out.append(char + base)
        else:
            out.append(f"[{char}{base}]")
    return "".join(out)


# --- anchors: the literal strings a pattern cannot match without --------------------------------
#
# Python's re tries every alternative of a big alternation at every position, which costs
# hundreds of microseconds a message. Instead each pattern's *anchors* are worked out from its
# parsed form once: a set of strings such that every match contains one of them (死にたい,
# 殴ら, kill myself). A message is only searched with the patterns whose anchors it contains.
# The analysis is conservative: a construct it does not understand yields no anchor, and a
# pattern with no anchor is simply always searched. tests/test_risk.py checks that the gate
# never changes a result.

_MAX_EXPANSION = 8  # how many spellings a literal run may expand to before it is cut
_COMMON_KANA = "のいにてはとしかたなでるますうがをっんれらもこきくよだあけそちりおさえじわつや"
_COMMON_LATIN = "etaoinshrdlu"


def _char_rarity(char: str) -> float:
    """A rough guess at how rare a character is in chat, to pick good anchors."""
    if "\u4e00" <= char <= "\u9fff":
        return 6.0
    if char in _COMMON_KANA:
        return 1.0 + 3.0 * _COMMON_KANA.index(char) / len(_COMMON_KANA)
    if "\u3040" <= char <= "\u30ff":
        return 5.0
    if char.isspace():
        return 0.0
    if char.isascii():
        return 1.0 if char in _COMMON_LATIN else 3.0 if char.isalpha() else 2.0
    return 6.0


def _anchor_quality(anchors: frozenset[str]) -> float:
    """How seldom a message holds any of ``anchors``: minus the log of their summed chances,
    one anchor's chance taken as e^-(the rarities of its characters, summed). Many rare
    anchors (死ぬ, しぬ, 死んだ, ...) beat a few common ones (て, で), since one common
    anchor wakes the pattern on nearly every message; a longer Latin anchor ("estoy ")
    beats a shorter one ("pa ")."""
    return -math.log(sum(math.exp(-min(sum(map(_char_rarity, a)), 16.0)) for a in anchors))


def _nodes(node: Any) -> Any:
    return node.data if hasattr(node, "data") else node


def _literal_options(op: Any, av: Any) -> list[str] | None:
    """Every string one parsed regex node can match, if it is literal and there are few."""
    if op is _sre.LITERAL:
        return [chr(av)]
    if op is _sre.IN:
        chars: list[str] = []
        for item_op, item in av:
            if item_op is _sre.LITERAL:
                chars.append(chr(item))
            elif item_op is _sre.RANGE and item[1] - item[0] < 12:
                chars.extend(chr(code) for code in range(item[0], item[1] + 1))
            else:
                return None
        return chars if len(chars) <= _MAX_EXPANSION else None
    if op is _sre.SUBPATTERN:
        return _literal_strings(_nodes(av[3]))
    if op is _sre.BRANCH:
        options: list[str] = []
        for alternative in av[1]:
            strings = _literal_strings(_nodes(alternative))
            if strings is None:
                return None
            options.extend(strings)
        return options if len(options) <= _MAX_EXPANSION else None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, high, body = av
        inner = _literal_strings(_nodes(body))
        if inner is not None and low == 0 and high == 1:
            return ["", *inner]
    return None


def _literal_strings(nodes: Any) -> list[str] | None:
    strings = [""]
    for op, av in nodes:
        options = _literal_options(op, av)
        if options is None:
            return None
        strings = [s + o for s in strings for o in options]
        if len(strings) > _MAX_EXPANSION:
            return None
    return strings


def _required(nodes: Any) -> frozenset[str] | None:
    """The best set of strings one of which every match of this node sequence contains."""
    best: frozenset[str] | None = None

    def consider(candidate: Iterable[str] | None) -> None:
        nonlocal best
        if candidate is None:
            return
        anchors = frozenset(candidate)
        if (
            anchors
            and all(anchors)
            and (best is None or _anchor_quality(anchors) > _anchor_quality(best))
        ):
            best = anchors

    run = [""]
    for op, av in nodes:
        options = _literal_options(op, av)
        if options is not None:
            extended = [s + o for s in run for o in options]
            if len(extended) <= _MAX_EXPANSION:
                run = extended
            else:
                consider(run)
                run = options
            continue
        consider(run)
        run = [""]
        if op is _sre.SUBPATTERN:
            consider(_required(_nodes(av[3])))
        elif op is _sre.ATOMIC_GROUP:
            consider(_required(_nodes(av)))
        elif op is _sre.BRANCH:
            parts = [_required(_nodes(alternative)) for alternative in av[1]]
            if all(part is not None for part in parts):
                consider(frozenset().union(*parts))  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_required(_nodes(av[2])))
    consider(run)
    return best


def anchors_of(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains; None if none can be found."""
    parsed = _sre_parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _required(_nodes(parsed))


class _Gate:
    """Which of many patterns can possibly match a text, from their anchors.

    All anchors go into one Aho-Corasick automaton (pyahocorasick): a single pass over the
    text finds every anchor it contains, whatever their number. With eleven languages there
    are thousands of anchors, and a per-anchor ``in`` test cost more than the regexes did.
    """

    def __init__(self, anchor_sets: Sequence[frozenset[str] | None]) -> None:
        numbers_by_anchor: dict[str, set[int]] = {}
        always: set[int] = set()
        for number, anchors in enumerate(anchor_sets):
            if anchors is None:
                always.add(number)
                continue
            for anchor in anchors:
                numbers_by_anchor.setdefault(anchor, set()).add(number)
        self._automaton = ahocorasick.Automaton()
        for anchor, numbers in numbers_by_anchor.items():
            self._automaton.add_word(anchor, frozenset(numbers))
        if numbers_by_anchor:
            self._automaton.make_automaton()
        self.always = frozenset(always)

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        if self._automaton.kind == ahocorasick.AHOCORASICK:
            for _, numbers in self._automaton.iter(text):
                found |= numbers
        return found


# --- reading the data files, with line numbers -------------------------------------------------


def default_locales_dir() -> Path:
    return paths.locales_dir()


def default_model_path() -> Path:
    return paths.locales_dir() / "risk-model.json"


def default_schema_path() -> Path:
    return paths.flows_dir() / "schema" / "risk.schema.json"


def _read_source(path: Path, schema_path: Path) -> SourcedData:
    """One data file, parsed and checked against the schema (bot/yamldata.py)."""
    try:
        return load_checked(path, schema_path)
    except DataError as exc:
        raise RiskDataError(str(exc)) from exc


def _error(source: SourcedData, where: Sequence[str | int], message: str) -> RiskDataError:
    """A problem at ``where`` in ``source``, as ``file:line: path/in/file: message``."""
    located = "/".join(str(part) for part in where) or "(top)"
    return RiskDataError(f"{source.where(where)}: {located}: {message}")


_TERM_REFERENCE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# Every pattern is compiled once to check it and once more for the detector; re's own cache
# holds 512, far fewer than the lexicons' patterns, so keep them all.
_regex = functools.cache(re.compile)


def _compile_pattern(
    source: SourcedData,
    where: list[str | int],
    raw: str,
    terms: dict[str, str],
    read: Reader | None = None,
) -> str:
    """Expand {TERMS}, check the pattern's form, add kana readings when ``read`` is given,
    fold it; return regex source (compiled once)."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise _error(source, where, f"unknown term {{{name}}}")
        return f"(?:{terms[name]})"

    expanded = _TERM_REFERENCE.sub(expand, raw)
    if unicodedata.normalize("NFKC", expanded) != expanded:
        raise _error(source, where, "write the pattern in NFKC form (half-width ASCII, no ｶﾅ)")
    if re.search(r"(?<!\\)[A-Z]", re.sub(r"\\.|\(\?P[<=]", "", expanded)):
        raise _error(source, where, "write ASCII letters in lower case: messages are lower-cased")
    if read is not None and not raw.startswith(KANJI_ONLY):
        expanded = with_readings(expanded, read, fold)
    folded = _diacritics_optional(fold(expanded))
    try:
        _regex(folded)
    except re.error as exc:
        raise _error(source, where, f"not a valid regular expression: {exc}") from None
    return folded


# --- normalisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Substitution:
    id: str
    regex: re.Pattern[str]
    replace: str
    anchors: frozenset[str] | None  # one is in every match; None: always try it
    examples: tuple[tuple[str, str], ...]

    def apply(self, text: str) -> str:
        return self.regex.sub(self.replace, text)


class Normaliser:
    """NFKC, lower case, emoji, kana folding, the data's substitutions in order, one space."""

    def __init__(self, emoji: dict[str, str], substitutions: Sequence[_Substitution]) -> None:
        table = dict(_KANA_FOLD)
        for first, last in _EMOJI_RANGES:
            for code in range(first, last + 1):
                table[code] = " "
        for char, word in emoji.items():
            table[ord(char)] = word
        self._table = table
        self.substitutions = tuple(substitutions)
        self._gate = _Gate([step.anchors for step in self.substitutions])

    @classmethod
    def from_file(cls, path: Path, schema_path: Path) -> Normaliser:
        source = _read_source(path, schema_path)
        if source.data["kind"] != "risk-normalise":
            raise _error(source, ["kind"], "expected kind: risk-normalise")
        emoji: dict[str, str] = {}
        for char, word in (source.data.get("emoji") or {}).items():
            key = unicodedata.normalize("NFKC", char).replace("\ufe0f", "")
            if len(key) != 1:
                raise _error(source, ["emoji", char], "an emoji key must be one code point")
            if word != fold(word.lower()):
                raise _error(
                    source, ["emoji", char], "write the word folded (hiragana, lower case)"
                )
            emoji[key] = f" {word} "
        steps: list[_Substitution] = []
        seen: set[str] = set()
        for index, entry in enumerate(source.data["substitutions"]):
            where: list[str | int] = ["substitutions", index]
            if entry["id"] in seen:
                raise _error(source, where + ["id"], f"duplicate id {entry['id']}")
            seen.add(entry["id"])
            try:
                regex = re.compile(entry["pattern"])
            except re.error as exc:
                raise _error(source, where + ["pattern"], f"not a valid regex: {exc}") from None
            examples = tuple((e["in"], e["out"]) for e in entry.get("examples", ()))
            anchors = anchors_of(entry["pattern"])
            steps.append(_Substitution(entry["id"], regex, entry["replace"], anchors, examples))
        return cls(emoji, steps)

    def __call__(self, text: str) -> str:
        folded = _drop_vowel_stretch(unicodedata.normalize("NFKC", text).lower()).translate(
            self._table
        )
        # Only the steps whose anchors the text holds; looked up again after a step changes
        # the text, since a step may write what a later one looks for (氏ね -> 死ね).
        due = self._gate.candidates(folded)
        for number, step in enumerate(self.substitutions):
            if number in due:
                changed = step.apply(folded)
                if changed != folded:
                    folded = changed
                    due = self._gate.candidates(folded)
        return " ".join(folded.split())


# --- the lexicons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One rule or override from a lexicon file, as the detector uses it."""

    id: str  # "<lang>:<id in file>"
    level: Level
    reason: str | None
    patterns: tuple[str, ...]
    examples: tuple[str, ...]
    is_override: bool
    fallback: bool = False  # counts only when no other rule reached its level
    together: tuple[str, ...] = ()  # cues that must all match (instead of any one pattern)


def _read_lexicon(path: Path, schema_path: Path) -> list[Entry]:
    source = _read_source(path, schema_path)
    data = source.data
    if data["kind"] != "risk-lexicon":
        raise _error(source, ["kind"], "expected kind: risk-lexicon")
    lang = data["lang"]
    if lang != path.parent.name:
        folder = path.parent.name
        raise _error(source, ["lang"], f"lang {lang!r} does not match its folder {folder!r}")
    terms: dict[str, str] = {}

    def earlier_term(match: re.Match[str]) -> str:
        # A term may use the terms above it; an unknown name is left for the pattern check.
        name = match.group(1)
        return f"(?:{terms[name]})" if name in terms else match.group(0)

    for name, raw in (data.get("terms") or {}).items():
        terms[name] = _TERM_REFERENCE.sub(earlier_term, raw)
    read = sudachi_reader() if data.get("kana_readings") else None
    entries: list[Entry] = []
    seen: set[str] = set()
    for section, is_override in (("rules", False), ("overrides", True)):
        for index, item in enumerate(data.get(section) or ()):
            where: list[str | int] = [section, index]
            if item["id"] in seen:
                raise _error(source, where + ["id"], f"duplicate id {item['id']}")
            seen.add(item["id"])
            patterns, together = (
                tuple(
                    _compile_pattern(source, where + [key, n], raw, terms, read)
                    for n, raw in enumerate(item.get(key, ()))
                )
                for key in ("patterns", "together")
            )
            entries.append(
                Entry(
                    id=f"{lang}:{item['id']}",
                    level=Level.parse(item["level"]),
                    reason=item.get("reason"),
                    patterns=patterns,
                    examples=tuple(item.get("examples", ())),
                    is_override=is_override,
                    fallback=bool(item.get("fallback", False)),
                    together=together,
                )
            )
    return entries


@dataclass(frozen=True)
class _Pattern:
    entry: Entry
    regex: re.Pattern[str]
    also: tuple[re.Pattern[str], ...] = ()  # a together rule's other cues, all needed too

    def hit(self, text: str, silenced: Sequence[tuple[int, int]]) -> bool:
        # The first cue alone first: this runs for every candidate pattern of every message,
        # and most have no other cues.
        if not _unsilenced(self.regex, text, silenced):
            return False
        return not self.also or all(_unsilenced(r, text, silenced) for r in self.also)


def _unsilenced(regex: re.Pattern[str], text: str, silenced: Sequence[tuple[int, int]]) -> bool:
    """Whether ``regex`` matches somewhere no override has reinterpreted.

    With a ``(?P<core>...)`` group, a match is silenced when an override covers its core;
    without one (or when the core's branch took no part), when it covers the whole match.
    """
    hit = regex.search(text)
    if hit is None:
        return False
    if not silenced:
        return True
    has_core = "core" in regex.groupindex
    while hit is not None:
        start, end = hit.span("core") if has_core else (-1, -1)
        if start < 0:
            start, end = hit.span()
        if not any(s <= start and end <= e for s, e in silenced):
            return True
        hit = regex.search(text, hit.start() + 1)
    return False


def _together_pattern(entry: Entry) -> _Pattern:
    """A together rule is searched by its most selective cue; the others are checked after."""
    regexes = [_regex(part) for part in entry.together]
    regexes.sort(key=lambda r: -_anchor_quality(anchors_of(r.pattern) or frozenset({""})))
    return _Pattern(entry, regexes[0], tuple(regexes[1:]))


class RiskDetector:
    """Grades messages. Build it once (it compiles every lexicon); ``assess`` is pure."""

    def __init__(
        self,
        normaliser: Normaliser,
        entries: Sequence[Entry],
        languages: Sequence[str],
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self.normalise = normaliser
        self.second_opinion = second_opinion
        self.languages = tuple(languages)
        self.entries = tuple(entries)
        # Overrides first (their spans must be known before rules are judged), then rules
        # from the most urgent level down; a message is searched in this order.
        ordered = sorted(entries, key=lambda e: (not e.is_override, -e.level))
        self._patterns = tuple(
            pattern
            for entry in ordered
            for pattern in (
                *(_Pattern(entry, _regex(source)) for source in entry.patterns),
                *((_together_pattern(entry),) if entry.together else ()),
            )
        )
        self._gate = _Gate([anchors_of(p.regex.pattern) for p in self._patterns])

    @classmethod
    def from_dir(
        cls,
        locales_dir: Path | None = None,
        schema_path: Path | None = None,
        second_opinion: SecondOpinion | None = None,
    ) -> RiskDetector:
        locales_dir = locales_dir or default_locales_dir()
        schema_path = schema_path or default_schema_path()
        normaliser = Normaliser.from_file(locales_dir / "risk-normalise.yaml", schema_path)
        entries: list[Entry] = []
        languages: list[str] = []
        for path in sorted(locales_dir.glob("*/risk.yaml")):
            entries.extend(_read_lexicon(path, schema_path))
            languages.append(path.parent.name)
        if not languages:
            raise RiskDataError(f"{locales_dir}: no <lang>/risk.yaml lexicon found")
        return cls(normaliser, entries, languages, second_opinion)

    def assess(self, text: str, lang: str = "ja") -> Assessment:
        """Grade one message. ``lang`` is the conversation's language; every lexicon is
        checked regardless, so the result does not depend on it. The second opinion, when
        there is one, may raise a level a step at a time: below medium to medium, then
        medium to high. Both steps may happen to one message: on the unseen sets, allowing
        it found about one plan in eight more at high, for about one calm message in a
        hundred sent to the top of the queue (README, "Safety")."""
        normalised = self.normalise(text)
        result = self._assess_normalised(normalised, gated=True)
        kana = self.romaji_as_kana(normalised)
        if kana is not None:
            # Japanese in the Latin alphabet: read in kana, by the Japanese rules (the graver
            # reading stands) and by the models, which learnt Japanese from kana and kanji.
            as_kana = self._assess_normalised(kana, gated=True)
            if as_kana.level > result.level:
                result = as_kana
            normalised = kana
        models = self.second_opinion
        if models is None or result.level == Level.HIGH:
            return result
        grams = grams_of(normalised, models.medium.sizes)
        level: Level = result.level
        if level < Level.MEDIUM:
            if not models.medium.flags(grams):
                return result
            level = Level.MEDIUM
        if models.high.flags(grams):
            level = Level.HIGH
        if level == result.level:
            return result
        return Assessment(
            level, ("learned_signal", *result.reasons), (*result.rules, LEARNED_RULE)
        )

    def romaji_as_kana(self, normalised: str) -> str | None:
        """A message in romaji Japanese (bot/risk_romaji.py), normalised again as kana;
        None for any other message. What the models read, in training too."""
        if not looks_like_romaji(normalised):
            return None
        return self.normalise(romaji_to_kana(normalised))

    def _assess_normalised(self, text: str, gated: bool) -> Assessment:
        if not text:
            return NO_RISK
        numbers = sorted(self._gate.candidates(text)) if gated else range(len(self._patterns))
        if not numbers:
            return NO_RISK
        silenced: list[tuple[int, int]] = []
        found: dict[str, Entry] = {}
        for number in numbers:
            pattern = self._patterns[number]
            entry, regex = pattern.entry, pattern.regex
            if entry.is_override:
                # Every pattern of an override counts, not only its first that matched:
                # each may explain a different stretch of the message.
                spans = [m.span() for m in regex.finditer(text)]
                if spans:
                    silenced.extend(spans)
                    found[entry.id] = entry
                continue
            if entry.id in found:
                continue
            if pattern.hit(text, silenced):
                found[entry.id] = entry
        return _assessment(found.values()) if found else NO_RISK

    def check_examples(self) -> list[str]:
        """Data self-test: every example of an entry must fire that entry (ids of failures)."""
        failures = [
            f"{entry.id}: {example!r}"
            for entry in self.entries
            for example in entry.examples
            if entry.id not in self.assess(example).rules
        ]
        failures.extend(
            f"normalise {step.id}: {raw!r} -> {self.normalise(raw)!r}"
            for step in self.normalise.substitutions
            for raw, expected in step.examples
            if expected not in self.normalise(raw)
        )
        return failures


def _assessment(found: Iterable[Entry]) -> Assessment:
    found = list(found)
    understood = max((e.level for e in found if not e.fallback and e.reason), default=Level.NONE)
    found = [e for e in found if not (e.fallback and e.level <= understood)]
    by_reason: dict[str, Level] = {}
    rule_ids: list[str] = []
    for entry in found:
        rule_ids.append(entry.id)
        if entry.reason and entry.level > by_reason.get(entry.reason, Level.NONE):
            by_reason[entry.reason] = entry.level
    if not by_reason:
        return Assessment(Level.NONE, (), tuple(rule_ids))
    reasons = sorted(by_reason, key=lambda r: (-by_reason[r], _REASON_ORDER[r]))
    return Assessment(max(by_reason.values()), tuple(reasons), tuple(rule_ids))


# --- module-level conveniences ------------------------------------------------------------------


@functools.cache
def default_detector() -> RiskDetector:
    """The detector the bot uses: every lexicon, and the learned second opinion."""
    return RiskDetector.from_dir(second_opinion=SecondOpinion.load(default_model_path()))


def normalise(text: str) -> str:
    """The form a message is matched in (NFKC, lower case, hiragana, obfuscations undone)."""
    return default_detector().normalise(text)


def assess(text: str, lang: str = "ja") -> Assessment:
    return default_detector().assess(text, lang)


def _jsonl_results(lines: Iterable[str], detector: RiskDetector) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            yield {"error": "invalid_json", "line": number}
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            yield {"error": "text_missing", "line": number}
            continue
        lang = item.get("lang")
        yield detector.assess(item["text"], lang if isinstance(lang, str) else "ja").as_json()


def run_jsonl(infile: IO[str], outfile: IO[str], detector: RiskDetector | None = None) -> int:
    """``tsunagari risk``: one {"text", "lang"} object per input line, one
    {"level", "reasons"} per output line (or {"error", "line"} for a bad line; blank lines
    are skipped). Returns the number of lines written. Never echoes the text."""
    detector = detector or default_detector()
    written = 0
    for result in _jsonl_results(infile, detector):
        outfile.write(json.dumps(result, ensure_ascii=False) + "\n")
        written += 1
    outfile.flush()
    return written
