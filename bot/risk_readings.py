"""Give the kanji words of a Japanese risk pattern their kana readings as alternatives.

Children, and many teenagers on LINE, write without kanji: 「しにたい」「くすりいっぱいのんだ」
「いしょかいた」. A lexicon written in ordinary spelling (死にたい, 薬, 遺書) misses them, and
spelling every word twice by hand is how a lexicon drifts: with the labelled set's Japanese
lines rewritten in kana, recall fell from 1.000 to 0.684 (benchmarks/risk_eval.py --kana).

So the loader rewrites each pattern once: every run of kanji and kana in it that contains a
kanji (死にたい, 遺書, 首を) gains its reading as an alternative, ``(?:死にたい|しにたい)``.
The reading comes from SudachiPy, which reads a whole run in context (生きる is いきる, 生活
is せいかつ), so only its dictionary is needed, not a reading list to maintain. A reading
that starts with し may not follow a kanji: there it is that kanji's ending (楽しんじゃおう).

What is left alone, so that the pattern keeps its meaning:
- character classes (``[^。死殺消]``) and look-behinds, which must keep a fixed width;
- the last character before a quantifier (``死に?``), which the quantifier belongs to;
- a lone kanji, unless it is a noun of two kana or more that starts no verb or adjective
  (首 くび, 薬 くすり, 錠 じょう): a stem read alone gets the wrong reading (飲 as いん in
  (?:飲|の)み, 殺 as さつ), and 「し」 or 「ち」 alone would match inside countless words.
  The same holds for a stem ending a run (と思: its ending lies past the run), which keeps
  its kanji. The data spells such words in kana where it matters (``(?:血|ち)``);
- a pattern that starts with the regex comment ``(?#kanji-only)``: its word read in kana is
  an everyday word or hides inside one (逝きたい is also 行きたい; 遺書, いしょ, hides in
  あたらしいしょくば), so only the kanji spelling is safe to match on its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import jaconv

_KANJI = re.compile(r"[\u3005\u4e00-\u9fff]")  # 々 and the unified ideographs
_WORD_CHAR = re.compile(r"[\u3005\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")
_QUANTIFIERS = "?*+{"
KANJI_ONLY = "(?#kanji-only)"
# Kana that so often end a kanji word (楽し, 話し, 寂し) that a reading starting with one
# must not follow a kanji; other readings may (全部おわり).
_OKURIGANA_START = ("し",)
# Endings that make a verb or an adjective of a kanji (飲む, 上る, 楽しい, 話す).
_ENDINGS = (
    *("う", "く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る"),  # 思う, 飲む, 上る
    *("い", "しい"),  # 辛い, 楽しい
    *("える", "める", "れる", "わる"),  # 消える, 終わる
)

# The reading of a run (in either kana script: the caller folds it), or None to leave it be.
Reader = Callable[[str], str | None]


@functools.cache
def _tokenizer() -> Callable[[str], Any]:
    from sudachipy import dictionary, tokenizer

    return dictionary.Dictionary().tokenizer(mode=tokenizer.Tokenizer.SplitMode.C).tokenize


@functools.cache
def sudachi_reader() -> Reader:
    """Readings from SudachiPy's dictionary, with the lone-kanji policy above."""
    tokenize = _tokenizer()

    def is_stem(kanji: str) -> bool:
        """Whether the kanji starts a verb or adjective (飲む, 楽しい): then a lone 飲 in a
        pattern is a stem whose ending follows elsewhere, and its reading alone is wrong."""
        for ending in _ENDINGS:
            morphemes = list(tokenize(kanji + ending))
            if len(morphemes) == 1 and morphemes[0].part_of_speech()[0] in ("動詞", "形容詞"):
                return True
        return False

    def read(run: str) -> str | None:
        morphemes = list(tokenize(run))
        if len(run) == 1:
            only = morphemes[0]
            noun = only.part_of_speech()[0] == "名詞" and not is_stem(run)
            return only.reading_form() if noun and len(only.reading_form()) >= 2 else None
        last = morphemes[-1].surface()
        common_noun = morphemes[-1].part_of_speech()[:2] == ("名詞", "普通名詞")  # 屋根の上
        if len(morphemes) > 1 and len(last) == 1 and not common_noun and is_stem(last):
            # と思(?:う|った): the ending of 思 lies past the run; keep the kanji as written.
            return "".join(m.reading_form() or m.surface() for m in morphemes[:-1]) + last
        return "".join(m.reading_form() or m.surface() for m in morphemes)

    return read


def in_kana(text: str) -> str:
    """``text`` as written without kanji (each kanji word by its reading, in hiragana).

    Not used to match: it makes test sets of how a child writes (risk_eval.py --kana).
    """
    out: list[str] = []
    tokenize = _tokenizer()
    for morpheme in tokenize(text):
        surface, reading = morpheme.surface(), morpheme.reading_form()
        if reading and _KANJI.search(surface):
            surface = jaconv.kata2hira(reading)
        out.append(surface)
    return "".join(out)


def with_readings(pattern: str, read: Reader, fold: Callable[[str], str]) -> str:
    """``pattern`` with each kanji-bearing literal run ``R`` replaced by ``(?:R|reading)``."""
    out: list[str] = []
    run: list[str] = []
    in_class = False
    lookbehind_depth = 0
    group_kinds: list[bool] = []  # per open group: is it a look-behind?

    def flush(quantified: bool) -> None:
        if not run:
            return
        text = "".join(run)
        run.clear()
        tail = ""
        if quantified:  # the quantifier that follows binds only the last character
            text, tail = text[:-1], text[-1]
        out.append(_alternatives(text, read, fold) + tail)

    index = 0
    while index < len(pattern):
        char = pattern[index]
        if not in_class and lookbehind_depth == 0 and _WORD_CHAR.match(char):
            run.append(char)
            index += 1
            continue
        flush(quantified=char in _QUANTIFIERS)
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            if char == "]" and not out[-1].endswith("[") and not out[-1].endswith("[^"):
                in_class = False
        elif char == "[":
            in_class = True
            out.append(char)
            # A ']' right after '[' or '[^' is a literal member, not the end.
            for opener in ("^]", "]", "^"):
                if pattern.startswith(opener, index + 1):
                    out.append(opener)
                    index += len(opener)
                    break
            index += 1
            continue
        elif char == "(":
            behind = pattern.startswith("(?<=", index) or pattern.startswith("(?<!", index)
            group_kinds.append(behind)
            lookbehind_depth += behind
        elif char == ")" and group_kinds:
            lookbehind_depth -= group_kinds.pop()
        out.append(char)
        index += 1
    flush(quantified=False)
    return "".join(out)


def _alternatives(run: str, read: Reader, fold: Callable[[str], str]) -> str:
    if not _KANJI.search(run):
        return run
    reading = fold(read(run) or "")
    if not reading or reading == fold(run):
        return run
    if reading.startswith(_OKURIGANA_START):
        # Right after a kanji this is that kanji's ending (楽|しんじゃおう), not a new word.
        return f"(?:{run}|(?<![\u3005\u4e00-\u9fff]){reading})"
    return f"(?:{run}|{reading})"
