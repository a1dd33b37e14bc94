"""Free-text triage: which worry categories a typed message is about, and whether it
asks for a person, a fresh start or the deletion of its data.

How it decides (figures and the alternatives tried are in README, measured with
``uv run python benchmarks/triage_eval.py`` on tests/data/triage_labelled.jsonl):

* **A weighted phrase lexicon per category, as data** in ``locales/<lang>/triage.yaml``
  (shape checked against ``flows/schema/triage.schema.json`` at start-up). A category
  scores the sum of the weights of its phrases found in the text (strong 3, medium 2,
  weak 1) and is suggested from ``MIN_SCORE`` up. One vague word ("つらい") therefore gives
  ``[]`` and the bot asks instead of guessing. Every suggestion can be traced to the
  phrases that made it (``explain``).
* **Japanese is read with SudachiPy** (+ ``sudachidict_core`` from PyPI, loaded once in
  about 0.1 s, under 1 ms a message). It earns its 190 MB twice. Every lexicon phrase also
  matches in its kana reading, so a child's がっこう / しにたい / かいご finds 学校 /
  死にたい / 介護 without kana variants written by hand. And a phrase that starts with kana
  must start where a word starts, so 痛い (いたい) does not fire inside あいたい. A phrase
  that starts with a kanji matches anywhere, because compounds such as 児童虐待 should
  still find 虐待.
* **Latin-script languages match whole words** after folding case and diacritics, so
  Vietnamese typed without tone marks still matches. A phrase ending in ``*`` also
  matches longer words (``bull*`` finds bullied). Chinese, Korean, Thai and Nepali match
  substrings.
* **A text is read with its locale's lexicon and with those of the scripts it is
  written in**, so English or Vietnamese typed into the Japanese interface still works.
* **When phrases overlap, the longer one wins**: 家族の世話 is care, not family.

Why not a statistical model: a character n-gram naive Bayes, trained on
tests/data/triage_train.jsonl, was measured against this. It was far weaker on its own and
added nothing on top of the lexicon (README). It would also have needed a training set
shipped with the package and would have made its answers harder to explain to a counsellor.

Message text is never logged here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sudachipy import Dictionary, Morpheme, SplitMode

from bot import paths
from bot.yamldata import DataError, SourcedData, load_checked

# The fixed category ids. The order breaks ties between equal scores: safety first.
CATEGORY_IDS: tuple[str, ...] = (
    "suicidal", "violence", "sexual_violence", "mental_health", "loneliness", "money",
    "housing", "work", "childcare", "family", "care", "school", "gender_sexuality",
    "foreign", "disability", "hikikomori", "health", "legal_consumer",
)
INTENT_IDS: tuple[str, ...] = ("human", "restart", "delete_data")
TIER_WEIGHTS = {"strong": 3, "medium": 2, "weak": 1}
MIN_SCORE = 2
# Longer texts are cut before reading. LINE allows 5,000 characters; what matters for
# triage is nearly always said early, and this bounds the work done per message.
MAX_CHARS = 2000
# Particles read past: case (が を に), binding (は も) and nominalising (の).
_DROPPED = frozenset({"格助詞", "係助詞", "準体助詞"})
# A kana reading shorter than this is too ambiguous to match on (家 いえ vs 言え).
MIN_READING = 3

_RANK = {c: i for i, c in enumerate(CATEGORY_IDS)}
_KATAKANA_TO_HIRAGANA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
_SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"),
    "japanese": re.compile(r"[\u3040-\u30ff]"),
    "han": re.compile(r"[\u4e00-\u9fff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
}


def schema_path() -> Path:
    return paths.flows_dir() / "schema" / "triage.schema.json"


def text_scripts(text: str) -> set[str]:
    """The writing systems in ``text``. Han counts as Chinese only when there is no kana."""
    found = {name for name, pattern in _SCRIPTS.items() if pattern.search(text)}
    if "japanese" in found:
        found.discard("han")
    return found


def fold_kana(text: str) -> str:
    """NFKC, lower case, katakana as hiragana: ガッコウ, ｶﾞｯｺｳ and がっこう read alike."""
    return unicodedata.normalize("NFKC", text).lower().translate(_KATAKANA_TO_HIRAGANA)


def fold_words(text: str) -> str:
    """Lower-cased words without diacritics or apostrophes, space-separated and padded."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("\u2019", "")
    return " " + " ".join(re.findall(r"\w+", plain)) + " "


def fold_chars(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Form:
    """One way a phrase can appear in a folded text."""

    text: str
    word_start: bool  # must begin where a word begins


@dataclass(frozen=True)
class Phrase:
    label: str  # a category or intent id
    written: str  # as in the lexicon, for explanations
    weight: int
    forms: tuple[Form, ...]


@dataclass(frozen=True)
class Evidence:
    """Why a label was given: which phrase of which lexicon matched."""

    label: str
    phrase: str
    weight: int
    lang: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    phrase: Phrase


class JapaneseReader:
    """Sudachi, for the kana reading of phrases and where words start in a text."""

    def __init__(self) -> None:
        # Mode A (shortest units) gives the most word starts, so stems still align.
        self._tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.A)

    def words(self, text: str) -> tuple[str, frozenset[int]]:
        """The folded text without spaces or particles, and where its words start.

        Case and topic particles (が, を, に, は, も, の) go because people drop them
        (友達いない, 学校行きたくない); phrases lose theirs the same way, so 友達がいない
        matches both. Particles that carry meaning stay (ばかり, だけ, て, けど).
        """
        pieces: list[str] = []
        starts: set[int] = set()
        offset = 0
        for morpheme in self._morphemes(text):
            piece = fold_kana(morpheme.surface())
            if not piece.strip():
                continue
            starts.add(offset)
            pieces.append(piece)
            offset += len(piece)
        return "".join(pieces), frozenset(starts)

    def reading(self, phrase: str) -> str:
        """Kana reading: words with kanji by their dictionary reading, others as written."""
        out = []
        for morpheme in self._morphemes(phrase):
            surface = morpheme.surface()
            if _KANJI.search(surface) and not morpheme.is_oov() and morpheme.reading_form():
                out.append(fold_kana(morpheme.reading_form()))
            elif surface.strip():
                out.append(fold_kana(surface))
        return "".join(out)

    def _morphemes(self, text: str) -> list[Morpheme]:
        normal = unicodedata.normalize("NFKC", text)
        return [m for m in self._tokenizer.tokenize(normal) if m.part_of_speech()[1] not in _DROPPED]


@dataclass(frozen=True)
class Lexicon:
    """One locale's phrases, and how to find them in a text written in that language."""

    lang: str
    script: str  # a text written in this script is also read with this lexicon
    matching: str  # japanese | words | characters
    phrases: list[Phrase]
    intents: list[Phrase]


class Triage:
    """Built once at start-up from every ``locales/*/triage.yaml``; shared and read-only."""

    def __init__(self, lexicons: dict[str, Lexicon], reader: JapaneseReader | None) -> None:
        self.lexicons = lexicons
        self._reader = reader

    @classmethod
    def load(cls, locales_dir: Path | None = None, schema: Path | None = None) -> Triage:
        locales_dir = locales_dir or paths.locales_dir()
        schema = schema or schema_path()
        docs = [load_checked(p, schema) for p in sorted(locales_dir.glob("*/triage.yaml"))]
        if not docs:
            raise DataError([f"{locales_dir}: no */triage.yaml lexicon found"])
        reader = (
            JapaneseReader() if any(d.data["matching"] == "japanese" for d in docs) else None
        )
        lexicons: dict[str, Lexicon] = {}
        problems: list[str] = []
        for doc in docs:
            lexicon = _build_lexicon(doc, reader, problems)
            lexicons[lexicon.lang] = lexicon
        if problems:
            raise DataError(problems)
        return cls(lexicons, reader)

    # --- what callers use -----------------------------------------------------------------

    def classify(self, text: str, lang: str) -> list[tuple[str, float]]:
        """Categories best first, with scores; [] when nothing clear enough was said."""
        scores: dict[str, int] = {}
        for ev in self._category_evidence(text, lang):
            scores[ev.label] = scores.get(ev.label, 0) + ev.weight
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], _RANK[kv[0]]))
        return [(label, float(score)) for label, score in ranked if score >= MIN_SCORE]

    def detect_intents(self, text: str, lang: str) -> set[str]:
        """Requests about the conversation itself: ``human``, ``restart``, ``delete_data``."""
        found: set[str] = set()
        for lexicon in self._lexicons_for(text, lang):
            for hit in self._hits(lexicon, lexicon.intents, text):
                found.add(hit.phrase.label)
        return found

    def explain(self, text: str, lang: str) -> list[Evidence]:
        """Every phrase that counted, categories then intents, for a reviewer to check."""
        intents = [
            Evidence(hit.phrase.label, hit.phrase.written, 0, lexicon.lang)
            for lexicon in self._lexicons_for(text, lang)
            for hit in self._hits(lexicon, lexicon.intents, text)
        ]
        return self._category_evidence(text, lang) + intents

    def run_jsonl(self, infile: TextIO, outfile: TextIO,
                  services_for: Callable[[list[str]], list[str]]) -> None:
        """``{"text", "lang"}`` lines in; one ``{"categories", "services"}`` line out each.

        A line that is not such an object gets ``{"categories": [], "services": [],
        "error": ...}`` so output lines stay paired with input lines.
        """
        for line in infile:
            if not line.strip():
                continue
            try:
                text, lang = _parse_request(line)
            except ValueError as exc:
                result: dict[str, Any] = {"categories": [], "services": [], "error": str(exc)}
            else:
                categories = [label for label, _ in self.classify(text, lang)]
                result = {"categories": categories, "services": services_for(categories)}
            outfile.write(json.dumps(result, ensure_ascii=False) + "\n")
            outfile.flush()

    # --- matching -----------------------------------------------------------------------

    def _category_evidence(self, text: str, lang: str) -> list[Evidence]:
        seen: dict[tuple[str, str], Evidence] = {}
        for lexicon in self._lexicons_for(text, lang):
            for hit in self._hits(lexicon, lexicon.phrases, text):
                key = (hit.phrase.label, hit.phrase.written)
                seen.setdefault(key, Evidence(
                    hit.phrase.label, hit.phrase.written, hit.phrase.weight, lexicon.lang))
        return list(seen.values())

    def _lexicons_for(self, text: str, lang: str) -> list[Lexicon]:
        scripts = text_scripts(text)
        return [
            lexicon for code, lexicon in self.lexicons.items()
            if code == lang or lexicon.script in scripts
        ]

    def _hits(self, lexicon: Lexicon, phrases: Iterable[Phrase], text: str) -> list[_Hit]:
        text = text[:MAX_CHARS]
        if lexicon.matching == "japanese":
            assert self._reader is not None
            view, starts = self._reader.words(text)
        elif lexicon.matching == "words":
            view, starts = fold_words(text), frozenset()
        else:
            view, starts = fold_chars(text), frozenset()
        hits = []
        for phrase in phrases:
            for form in phrase.forms:
                hit = _find(view, starts, form)
                if hit is not None:
                    hits.append(_Hit(hit[0], hit[1], phrase))
                    break
        return _longest_only(hits)


def _find(view: str, starts: frozenset[int], form: Form) -> tuple[int, int] | None:
    at = view.find(form.text)
    while at != -1:
        if not form.word_start or at in starts:
            return at, at + len(form.text)
        at = view.find(form.text, at + 1)
    return None


def _longest_only(hits: list[_Hit]) -> list[_Hit]:
    """Drop a hit lying inside a longer one: the longer phrase is the more specific."""
    return [
        hit for hit in hits
        if not any(
            other.start <= hit.start and hit.end <= other.end
            and other.end - other.start > hit.end - hit.start
            for other in hits
        )
    ]


def _parse_request(line: str) -> tuple[str, str]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError('expected {"text": string, "lang": string}')
    lang = item.get("lang", "ja")
    if not isinstance(lang, str):
        raise ValueError('"lang" must be a string')
    return item["text"], lang


# --- building a lexicon from its YAML -------------------------------------------------------

def _build_lexicon(doc: SourcedData, reader: JapaneseReader | None,
                   problems: list[str]) -> Lexicon:
    data = doc.data
    lang, matching = data["lang"], data["matching"]
    if doc.path.parent.name != lang:
        problems.append(f"{doc.where(['lang'])}: lang {lang!r} is not its folder's name")

    def forms(written: str, where: Sequence[str | int]) -> tuple[Form, ...]:
        built = _forms(written, matching, reader)
        if not built:
            problems.append(f"{doc.where(where)}: {written!r} has nothing to match on")
        return built

    phrases: list[Phrase] = []
    for category, tiers in data["categories"].items():
        seen: dict[Form, str] = {}
        for tier, entries in tiers.items():
            for i, written in enumerate(entries):
                where = ["categories", category, tier, i]
                phrase = Phrase(category, written, TIER_WEIGHTS[tier], forms(written, where))
                # Folding can make two phrases one (親が and 親 both read 親): that
                # would count the same words twice.
                twin = next((seen[f] for f in phrase.forms[:1] if f in seen), None)
                if twin is not None:
                    problems.append(
                        f"{doc.where(where)}: {written!r} reads as {twin!r} in {category}")
                seen.update((f, written) for f in phrase.forms[:1])
                phrases.append(phrase)
    intents = [
        Phrase(intent, written, 0, forms(written, ["intents", intent, i]))
        for intent, entries in data.get("intents", {}).items()
        for i, written in enumerate(entries)
    ]
    return Lexicon(lang, data["script"], matching, phrases, intents)


def _forms(written: str, matching: str, reader: JapaneseReader | None) -> tuple[Form, ...]:
    if matching == "words":
        prefix = written.endswith("*")
        words = fold_words(written.rstrip("*"))
        if not words.strip():
            return ()
        # Leading space: starts a word. Trailing space unless a prefix: ends a word.
        return (Form(words if not prefix else words.rstrip(), word_start=False),)
    if matching == "characters":
        text = fold_chars(written).strip()
        return (Form(text, word_start=False),) if text else ()
    assert reader is not None
    surface, _ = reader.words(written)
    if not surface:
        return ()
    built = [Form(surface, word_start=not _KANJI.match(surface))]
    reading = reader.reading(written)
    if reading != surface and len(reading) >= MIN_READING:
        built.append(Form(reading, word_start=True))
    return tuple(built)

