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
- Every loaded language is checked on every message, whatever ``lang`` says: people mix
  languages, and a missed 死にたい costs far more than a few microseconds.

Everything is compiled once when a ``RiskDetector`` is built; ``assess`` does no I/O and
never logs: message text is personal data.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import IO, Any

import jsonschema
import yaml


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


class RiskDataError(ValueError):
    """A risk data file is malformed; the message names the file and line."""


# --- folding: the fixed Unicode facts, applied to messages and to patterns alike -------------

_HIRAGANA_SMALL_TO_LARGE = dict(zip("ぁぃぅぇぉゃゅょゎゕゖ", "あいうえおやゆよわかけ", strict=True))
_DELETED = "ー〜~〰\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F1E6, 0x1F1FF))
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0000, 0xE007F))
# A vowel kana right after a kana of the same vowel is a stretch (しにたあああい, さみしいい):
# drop it, on both sides, so stretched and plain spellings meet.
_VOWEL_ROWS = {
    "あ": "あかさたなはまやらわがざだばぱ",
    "い": "いきしちにひみりぎじぢびぴ",
    "う": "うくすつぬふむゆるぐずづぶぷ",
    "え": "えけせてねへめれげぜでべぺ",
    "お": "おこそとのほもよろをごぞどぼぽ",
}
_VOWEL_STRETCH = re.compile(
    "|".join(f"(?<=[{row}]){vowel}+" for vowel, row in _VOWEL_ROWS.items())
)


def _kana_fold_table() -> dict[int, str | None]:
    """Katakana to hiragana, small kana to large, long-vowel marks and invisible characters out."""
    table: dict[int, str | None] = {}
    for code in range(0x30A1, 0x30F7):  # ァ..ヶ
        table[code] = chr(code - 0x60)
    for small, large in _HIRAGANA_SMALL_TO_LARGE.items():
        table[ord(small)] = large
        table[ord(small) + 0x60] = large  # the katakana small form
    table[ord("ヵ")] = "か"
    table[ord("ヶ")] = "け"
    for char in _DELETED:
        table[ord(char)] = None
    for first, last in _VARIATION_SELECTORS:
        for code in range(first, last + 1):
            table[code] = None
    return table


_KANA_FOLD = _kana_fold_table()


def fold(text: str) -> str:
    """The folding shared by messages and patterns: kana script and size, long vowels."""
    return _VOWEL_STRETCH.sub("", text.translate(_KANA_FOLD))


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


# --- reading the data files, with line numbers -------------------------------------------------

def _data_root() -> Path:
    """The repository root in a checkout; ``bot/_data`` in an installed wheel."""
    packaged = Path(__file__).resolve().parent / "_data"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent


def default_locales_dir() -> Path:
    return _data_root() / "locales"


def default_schema_path() -> Path:
    return _data_root() / "flows" / "schema" / "risk.schema.json"


@dataclass(frozen=True)
class _Source:
    """One parsed YAML file and its node tree, so errors can point at a line."""

    path: Path
    data: Any
    root: yaml.Node

    def line(self, where: Sequence[str | int]) -> int:
        node = self.root
        for key in where:
            if isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                found = node.value[key] if key < len(node.value) else None
            else:
                found = None
            if found is None:
                break
            node = found
        return node.start_mark.line + 1

    def error(self, where: Sequence[str | int], message: str) -> RiskDataError:
        path = ".".join(str(part) for part in where) or "(top)"
        return RiskDataError(f"{self.path}:{self.line(where)}: {path}: {message}")


def _read_source(path: Path, validator: jsonschema.protocols.Validator) -> _Source:
    text = path.read_text(encoding="utf-8")
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise RiskDataError(f"{path}: not valid YAML: {exc}") from exc
    if root is None:
        raise RiskDataError(f"{path}:1: the file is empty")
    source = _Source(path, data, root)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [
            str(source.error(list(e.absolute_path), e.message))
            for e in errors[:10]
        ]
        raise RiskDataError("risk data does not match its schema:\n" + "\n".join(lines))
    return source


_TERM_REFERENCE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def _compile_pattern(source: _Source, where: list[str | int], raw: str,
                     terms: dict[str, str]) -> str:
    """Expand {TERMS}, check the pattern's form, fold it; return regex source (compiled once)."""
    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise source.error(where, f"unknown term {{{name}}}")
        return f"(?:{terms[name]})"

    expanded = _TERM_REFERENCE.sub(expand, raw)
    if unicodedata.normalize("NFKC", expanded) != expanded:
        raise source.error(where, "write the pattern in NFKC form (half-width ASCII, no ｶﾅ)")
    if re.search(r"(?<!\\)[A-Z]", re.sub(r"\\.", "", expanded)):
        raise source.error(where, "write ASCII letters in lower case: messages are lower-cased")
    folded = _diacritics_optional(fold(expanded))
    try:
        re.compile(folded)
    except re.error as exc:
        raise source.error(where, f"not a valid regular expression: {exc}") from None
    return folded


# --- normalisation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Substitution:
    id: str
    regex: re.Pattern[str]
    replace: str
    examples: tuple[tuple[str, str], ...]


class Normaliser:
    """NFKC, lower case, emoji, kana folding, then the data's substitutions in order."""

    def __init__(self, emoji: dict[str, str], substitutions: Sequence[_Substitution]) -> None:
        table = dict(_KANA_FOLD)
        for first, last in _EMOJI_RANGES:
            for code in range(first, last + 1):
                table[code] = " "
        for char, word in emoji.items():
            table[ord(char)] = word
        self._table = table
        self._steps = tuple((s.regex.sub, s.replace) for s in substitutions)
        self.substitutions = tuple(substitutions)

    @classmethod
    def from_file(cls, path: Path, validator: jsonschema.protocols.Validator) -> Normaliser:
        source = _read_source(path, validator)
        if source.data["kind"] != "risk-normalise":
            raise source.error(["kind"], "expected kind: risk-normalise")
        emoji: dict[str, str] = {}
        for char, word in (source.data.get("emoji") or {}).items():
            key = unicodedata.normalize("NFKC", char).replace("\ufe0f", "")
            if len(key) != 1:
                raise source.error(["emoji", char], "an emoji key must be one code point")
            if word != fold(word.lower()):
                raise source.error(["emoji", char], "write the word folded (hiragana, lower case)")
            emoji[key] = f" {word} "
        steps: list[_Substitution] = []
        seen: set[str] = set()
        for index, entry in enumerate(source.data["substitutions"]):
            where: list[str | int] = ["substitutions", index]
            if entry["id"] in seen:
                raise source.error(where + ["id"], f"duplicate id {entry['id']}")
            seen.add(entry["id"])
            try:
                regex = re.compile(entry["pattern"])
            except re.error as exc:
                raise source.error(where + ["pattern"], f"not a valid regex: {exc}") from None
            examples = tuple((e["in"], e["out"]) for e in entry.get("examples", ()))
            steps.append(_Substitution(entry["id"], regex, entry["replace"], examples))
        return cls(emoji, steps)

    def __call__(self, text: str) -> str:
        folded = _VOWEL_STRETCH.sub(
            "", unicodedata.normalize("NFKC", text).lower().translate(self._table)
        )
        for substitute, replacement in self._steps:
            folded = substitute(replacement, folded)
        return folded.strip()


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


def _read_lexicon(path: Path, validator: jsonschema.protocols.Validator) -> list[Entry]:
    source = _read_source(path, validator)
    data = source.data
    if data["kind"] != "risk-lexicon":
        raise source.error(["kind"], "expected kind: risk-lexicon")
    lang = data["lang"]
    if lang != path.parent.name:
        raise source.error(["lang"], f"lang {lang!r} does not match its folder {path.parent.name!r}")
    terms: dict[str, str] = {}
    for name, raw in (data.get("terms") or {}).items():
        terms[name] = _TERM_REFERENCE.sub(lambda m: f"(?:{terms.get(m.group(1), m.group(0))})", raw)
    entries: list[Entry] = []
    seen: set[str] = set()
    for section, is_override in (("rules", False), ("overrides", True)):
        for index, item in enumerate(data.get(section) or ()):
            where: list[str | int] = [section, index]
            if item["id"] in seen:
                raise source.error(where + ["id"], f"duplicate id {item['id']}")
            seen.add(item["id"])
            patterns = tuple(
                _compile_pattern(source, where + ["patterns", n], raw, terms)
                for n, raw in enumerate(item["patterns"])
            )
            entries.append(Entry(
                id=f"{lang}:{item['id']}",
                level=Level.parse(item["level"]),
                reason=item.get("reason"),
                patterns=patterns,
                examples=tuple(item.get("examples", ())),
                is_override=is_override,
            ))
    return entries


def _alternation(entries: Sequence[Entry], prefix: str) -> tuple[re.Pattern[str], dict[str, Entry]]:
    """One regex for many entries; each entry is a named group so a match says which fired."""
    names = {f"{prefix}{index}": entry for index, entry in enumerate(entries)}
    source = "|".join(
        f"(?P<{name}>{'|'.join(f'(?:{p})' for p in entry.patterns)})"
        for name, entry in names.items()
    )
    return re.compile(source), names


class RiskDetector:
    """Grades messages. Build it once (it compiles every lexicon); ``assess`` is pure."""

    def __init__(self, normaliser: Normaliser, entries: Sequence[Entry],
                 languages: Sequence[str]) -> None:
        self.normalise = normaliser
        self.languages = tuple(languages)
        self.entries = tuple(entries)
        rules = [e for e in entries if not e.is_override]
        overrides = [e for e in entries if e.is_override]
        # One regex per (level, reason), most urgent first: each search finds that kind's
        # leftmost match not silenced by an override.
        groups: dict[tuple[Level, str], list[Entry]] = {}
        for rule in rules:
            groups.setdefault((rule.level, rule.reason or ""), []).append(rule)
        ordered = sorted(groups.items(), key=lambda kv: (-kv[0][0], _REASON_ORDER[kv[0][1]]))
        self._groups = tuple(
            _alternation(members, f"r{n}_") for n, (_, members) in enumerate(ordered)
        )
        self._overrides = _alternation(overrides, "o") if overrides else None

    @classmethod
    def from_dir(cls, locales_dir: Path | None = None,
                 schema_path: Path | None = None) -> RiskDetector:
        locales_dir = locales_dir or default_locales_dir()
        schema = json.loads((schema_path or default_schema_path()).read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        normaliser = Normaliser.from_file(locales_dir / "risk-normalise.yaml", validator)
        entries: list[Entry] = []
        languages: list[str] = []
        for path in sorted(locales_dir.glob("*/risk.yaml")):
            entries.extend(_read_lexicon(path, validator))
            languages.append(path.parent.name)
        if not languages:
            raise RiskDataError(f"{locales_dir}: no <lang>/risk.yaml lexicon found")
        return cls(normaliser, entries, languages)

    def assess(self, text: str, lang: str = "ja") -> Assessment:
        """Grade one message. ``lang`` is the conversation's language; every lexicon is
        checked regardless, so the result does not depend on it."""
        normalised = self.normalise(text)
        if not normalised:
            return NO_RISK
        silenced: list[tuple[int, int]] = []
        found: list[Entry] = []
        if self._overrides is not None:
            regex, names = self._overrides
            for match in regex.finditer(normalised):
                silenced.append(match.span())
                entry = names[match.lastgroup or ""]
                if entry.level:
                    found.append(entry)
        for regex, names in self._groups:
            position = 0
            while (match := regex.search(normalised, position)) is not None:
                start, end = match.span()
                if not any(s <= start and end <= e for s, e in silenced):
                    found.append(names[match.lastgroup or ""])
                    break
                position = start + 1
        if not found:
            return NO_RISK
        return _assessment(found)

    def check_examples(self) -> list[str]:
        """Data self-test: every example of an entry must fire that entry (ids of failures)."""
        failures = []
        for entry in self.entries:
            for example in entry.examples:
                if entry.id not in self.assess(example).rules:
                    failures.append(f"{entry.id}: {example!r}")
        for step in self.normalise.substitutions:
            for raw, expected in step.examples:
                if expected not in self.normalise(raw):
                    failures.append(f"normalise {step.id}: {raw!r} -> {self.normalise(raw)!r}")
        return failures


def _assessment(found: Iterable[Entry]) -> Assessment:
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
    return RiskDetector.from_dir()


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
        lang = item.get("lang") if isinstance(item.get("lang"), str) else "ja"
        yield detector.assess(item["text"], lang).as_json()


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
