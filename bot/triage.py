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
* **Japanese is read with SudachiPy** (+ ``sudachidict_core`` from PyPI; ``Triage.load``
  reads every lexicon in about 0.3 s, then under 1 ms a message). It earns its 190 MB
  installed: without it, top-3 on the labelled set falls from 0.99 to 0.90, and on
  children's kana-only messages from 0.97 to 0.29. Every lexicon phrase also
  matches in its kana reading, so a child's がっこう / しにたい / かいご finds 学校 /
  死にたい / 介護 without kana variants written by hand. And a phrase must start where a
  word starts, so 痛い (いたい) does not fire inside あいたい, nor 夫 inside 大丈夫; Sudachi's
  shortest split keeps compounds apart (児童/虐待), so 虐待 is still found there.
* **Latin-script languages match whole words** after folding case and apostrophes. A
  text typed with diacritics is matched with them (Vietnamese nợ "debt" is not nó "it");
  one typed without any is matched against the phrases without them (toi muon chet). A
  word ending in ``*`` also matches longer words (``bull*`` finds bullied). Chinese,
  Korean, Thai and Nepali match substrings, spaces ignored (죽고 싶 = 죽고싶).
* **A phrase may have gaps**: ``熱…下がらない`` matches with up to ``MAX_GAP`` characters of
  the same sentence between its parts.
* **Which lexicons read a text**: its locale's; English for any Latin letters; and for a
  script the locale does not use, every lexicon of that script, so English or Vietnamese
  typed into the Japanese interface still works.
* **When phrases overlap, the longer one wins**: 家族の世話 is care, not family. The same
  words count once per category (辛い and つらい both find つらい).

Why not a statistical model: a character 1-3-gram naive Bayes trained on
tests/data/triage_train.jsonl was measured against this (``--compare``). On its own it
reached a top-3 of 0.56. Added to the lexicon it changed top-1 by +0.004 and top-3 not at
all. It would also have needed a training set shipped with the package, and its answers
would be harder to explain to a counsellor.

Message text is never logged here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sudachipy import Dictionary, Morpheme, SplitMode

from bot import paths
from bot.categories import CATEGORY_IDS
from bot.yamldata import DataError, SourcedData, load_checked

# The category ids in the order that breaks ties between equal scores: safety first, then
# the concrete situation (it finds the window that can act on it), then the feelings it
# brings (mental_health, loneliness), which come with many situations.
TIE_BREAK_ORDER: tuple[str, ...] = (
    "suicidal",
    "violence",
    "sexual_violence",
    "housing",
    "money",
    "work",
    "school",
    "care",
    "childcare",
    "family",
    "health",
    "disability",
    "foreign",
    "gender_sexuality",
    "hikikomori",
    "legal_consumer",
    "mental_health",
    "loneliness",
)
INTENT_IDS: tuple[str, ...] = ("human", "restart", "delete_data")
TIER_WEIGHTS = {"strong": 3, "medium": 2, "weak": 1}
MIN_SCORE = 2
# Longer texts are cut before reading. LINE allows 5,000 characters; what matters for
# triage is nearly always said early, and this bounds the work done per message.
MAX_CHARS = 2000
# Read past: the short particles people drop or vary (が を に へ は も の で と; から,
# まで, より stay, 最初から is not 最初), and the honorific お/ご (おせわ is 世話).
_DROPPED_PARTICLES = frozenset("がをにへはものでと")
_HONORIFICS = frozenset({"お", "ご", "御"})
# A kana reading shorter than this is too ambiguous to match on (家 いえ vs 言え).
MIN_READING = 3
GAP = "…"  # in a phrase: other words may stand here
MAX_GAP = 12
_SENTENCE_END = re.compile(r"[。．.！!？?\n]")

assert sorted(TIE_BREAK_ORDER) == sorted(CATEGORY_IDS), "every category, once"
_RANK = {c: i for i, c in enumerate(TIE_BREAK_ORDER)}
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


def fold_words(text: str, keep_marks: bool) -> str:
    """Lower-cased words without apostrophes, space-separated and padded; without
    diacritics too unless ``keep_marks`` (Vietnamese nợ "debt" is not nó "it")."""
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("\u2019", "")
    if not keep_marks:
        decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d"))
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " " + " ".join(re.findall(r"\w+", text)) + " "


def fold_chars(text: str) -> str:
    """NFKC, lower case, no whitespace: Korean spacing varies (죽고 싶, 죽고싶)."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class Part:
    text: str  # folded
    word_start: bool = False  # must begin where a word begins
    pattern: re.Pattern[str] | None = None  # whole-word matching: used instead of ``text``


@dataclass(frozen=True)
class Form:
    """One way a phrase can appear in a folded text: its parts in order, with at most
    ``MAX_GAP`` characters and no sentence end between two parts (熱…下がらない)."""

    parts: tuple[Part, ...]
    marked: bool = True  # Latin script: for texts typed with diacritics (else without)


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

        Short particles go because people drop them (友達いない, 学校行きたくない), and
        so does the honorific お/ご (children write おせわ, おうち); phrases lose theirs
        the same way, so 友達がいない matches both. Particles that carry meaning stay
        (から, ばかり, だけ, て, けど).
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
        return [m for m in self._tokenizer.tokenize(normal) if not _read_past(m)]


def _read_past(morpheme: Morpheme) -> bool:
    kind, surface = morpheme.part_of_speech()[0], morpheme.surface()
    return (kind == "助詞" and surface in _DROPPED_PARTICLES) or (
        kind == "接頭辞" and surface in _HONORIFICS
    )


@dataclass(frozen=True)
class Lexicon:
    """One locale's phrases, and how to find them in a text written in that language."""

    lang: str
    script: str  # texts in this script typed under another locale are read with it too
    matching: str  # japanese | words | characters
    phrases: list[Phrase]
    intents: list[Phrase]


class Triage:
    """Built once at start-up from every ``locales/*/triage.yaml``; shared and read-only."""

    def __init__(self, lexicons: dict[str, Lexicon], reader: JapaneseReader | None) -> None:
        self.lexicons = lexicons
        self._reader = reader

    @classmethod
    def load(
        cls,
        locales_dir: Path | None = None,
        schema: Path | None = None,
        reader: JapaneseReader | None = None,
    ) -> Triage:
        """Read and check every lexicon. ``reader`` replaces Sudachi (for comparisons)."""
        locales_dir = locales_dir or paths.locales_dir()
        schema = schema or schema_path()
        docs = [load_checked(p, schema) for p in sorted(locales_dir.glob("*/triage.yaml"))]
        if not docs:
            raise DataError([f"{locales_dir}: no */triage.yaml lexicon found"])
        if reader is None and any(d.data["matching"] == "japanese" for d in docs):
            reader = JapaneseReader()
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

    def run_jsonl(
        self, infile: TextIO, outfile: TextIO, services_for: Callable[[list[str]], list[str]]
    ) -> None:
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
                seen.setdefault(
                    key,
                    Evidence(
                        hit.phrase.label, hit.phrase.written, hit.phrase.weight, lexicon.lang
                    ),
                )
        return list(seen.values())

    def _lexicons_for(self, text: str, lang: str) -> list[Lexicon]:
        """The locale's own lexicon; English for Latin letters; and for a script the
        locale's lexicon does not cover (Vietnamese typed into the Japanese interface),
        every lexicon of that script. Lexicons of the locale's own script are not mixed
        in: pt "golpe" is a scam, es "golpe" a blow."""
        own = self.lexicons.get(lang)
        scripts = text_scripts(text)
        if own is not None:
            scripts.discard(own.script)
        chosen = [own] if own is not None else []
        for code, lexicon in self.lexicons.items():
            if lexicon is own:
                continue
            if lexicon.script in scripts or (code == "en" and _SCRIPTS["latin"].search(text)):
                chosen.append(lexicon)
        return chosen

    def _hits(self, lexicon: Lexicon, phrases: Iterable[Phrase], text: str) -> list[_Hit]:
        text = text[:MAX_CHARS]
        marked = True  # only whole-word lexicons have unmarked forms
        starts: frozenset[int] = frozenset()
        if lexicon.matching == "japanese":
            assert self._reader is not None
            view, starts = self._reader.words(text)
        elif lexicon.matching == "words":
            marked = _has_marks(text)
            view = fold_words(text, keep_marks=marked)
        else:
            view = fold_chars(text)
        hits = []
        for phrase in phrases:
            for form in phrase.forms:
                if form.marked != marked:
                    continue
                hit = _find(view, starts, form)
                if hit is not None:
                    hits.append(_Hit(hit[0], hit[1], phrase))
                    break
        return _longest_only(hits)


def _find(view: str, starts: frozenset[int], form: Form) -> tuple[int, int] | None:
    """Span of the first place all of ``form``'s parts occur in order, or None."""
    first, rest = form.parts[0], form.parts[1:]
    for begin, end in _occurrences(view, starts, first, 0, len(view)):
        for part in rest:
            sentence_end = _SENTENCE_END.search(view, end, end + MAX_GAP)
            limit = sentence_end.start() if sentence_end else end + MAX_GAP + 1
            found = next(_occurrences(view, starts, part, end, limit), None)
            if found is None:
                break
            end = found[1]
        else:
            return begin, end
    return None


def _occurrences(
    view: str, starts: frozenset[int], part: Part, lo: int, hi: int
) -> Iterator[tuple[int, int]]:
    """Spans where ``part`` occurs starting in [lo, hi)."""
    if part.pattern is not None:
        for match in part.pattern.finditer(view, lo):
            if match.start() >= hi:
                return
            yield match.span()
        return
    at = view.find(part.text, lo, hi + len(part.text))
    while at != -1:
        if not part.word_start or at in starts:
            yield at, at + len(part.text)
        at = view.find(part.text, at + 1, hi + len(part.text))


def _has_marks(text: str) -> bool:
    """Whether Latin letters in ``text`` carry diacritics (tôi, não) or none (toi, nao)."""
    return any(ch.isalpha() and ord(ch) > 0x7F and _SCRIPTS["latin"].match(ch) for ch in text)


def _longest_only(hits: list[_Hit]) -> list[_Hit]:
    """Drop a hit lying inside a longer one (the longer phrase is the more specific), and
    count the same words once per label (辛い and つらい both find つらい)."""
    kept: dict[tuple[str, int, int], _Hit] = {}
    for hit in hits:
        if any(
            other.start <= hit.start
            and hit.end <= other.end
            and other.end - other.start > hit.end - hit.start
            for other in hits
        ):
            continue
        key = (hit.phrase.label, hit.start, hit.end)
        if key not in kept or hit.phrase.weight > kept[key].phrase.weight:
            kept[key] = hit
    return list(kept.values())


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


def _build_lexicon(
    doc: SourcedData, reader: JapaneseReader | None, problems: list[str]
) -> Lexicon:
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
                # Folding can make two phrases one (親が and 親 both read 親): one of
                # them is dead weight. (Script variants such as 辛い and つらい are kept:
                # they meet only in kana text, where one span counts once.)
                twin = seen.get(phrase.forms[0]) if phrase.forms else None
                if twin is not None:
                    problems.append(
                        f"{doc.where(where)}: {written!r} reads as {twin!r} in {category}"
                    )
                if phrase.forms:
                    seen[phrase.forms[0]] = written
                phrases.append(phrase)
    intents = [
        Phrase(intent, written, 0, forms(written, ["intents", intent, i]))
        for intent, entries in data.get("intents", {}).items()
        for i, written in enumerate(entries)
    ]
    return Lexicon(lang, data["script"], matching, phrases, intents)


def _forms(written: str, matching: str, reader: JapaneseReader | None) -> tuple[Form, ...]:
    pieces = written.replace("...", GAP).split(GAP)
    if any(not p.strip() for p in pieces):
        return ()
    if matching == "words":
        marked = tuple(_words_part(p, keep_marks=True) for p in pieces)
        plain = tuple(_words_part(p, keep_marks=False) for p in pieces)
        if not all(part.text.strip() for part in marked):
            return ()
        return (Form(marked, marked=True), Form(plain, marked=False))
    if matching == "characters":
        parts = tuple(Part(fold_chars(p)) for p in pieces)
        return (Form(parts),) if all(part.text for part in parts) else ()
    assert reader is not None
    surfaces = [reader.words(p)[0] for p in pieces]
    if not all(surfaces):
        return ()
    written_form = Form(tuple(Part(t, word_start=True) for t in surfaces))
    readings = [reader.reading(p) for p in pieces]
    read_parts = tuple(
        Part(r if len(r) >= MIN_READING else t, word_start=True)
        for r, t in zip(readings, surfaces, strict=True)
    )
    read_form = Form(read_parts)
    return (written_form,) if read_form == written_form else (written_form, read_form)


def _words_part(piece: str, keep_marks: bool) -> Part:
    """Whole words in order; a word written with a trailing ``*`` may go on (bull* → bullied).
    Nothing to match on gives an empty ``text``."""
    words: list[str] = []
    for word in piece.split():
        folded = fold_words(word.rstrip("*"), keep_marks).split()
        if not folded:
            continue
        tail = r"\w*" if word.endswith("*") else ""
        words.extend(re.escape(w) for w in folded[:-1])
        words.append(re.escape(folded[-1]) + tail)
    if not words:
        return Part("")
    source = " " + " ".join(words) + "(?= )"
    return Part(source, pattern=re.compile(source))
