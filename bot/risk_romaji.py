"""Japanese typed in the Latin alphabet (kyou jisatsu suru), read again in kana.

Children on a device without a Japanese keyboard, and young people who grew up abroad,
write Japanese in romaji. The Japanese lexicon is written in kanji and kana (and gets its
kana readings from SudachiPy); rather than keep a third copy of it in romaji, a message that
looks like romaji Japanese is also read as kana, converted with jaconv's romaji table (a
well-kept library), and the Japanese rules judge that too.

English must not be mistaken for it: "I have no idea" converts to kana as readily as
"mou ikitakunai" does. So a message counts as romaji only when nearly every word converts
and at least two words are Japanese function words or set phrases that are not English
(desu, mou, kyou, nanka, ...). Nothing here logs or keeps text.
"""

from __future__ import annotations

import re

import jaconv

# Particles, endings and everyday words of romaji Japanese that are not English words.
# (A word list reads best as words.)
_MARKERS = frozenset(
    """
    wa ga wo desu masu suru shita shitai shimasu nai tai kara kedo dakedo mou kyou ashita
    konya kinou ima imasugu yo ne dayo dane desho nanka nante jibun watashi atashi boku uchi
    minna zenbu hontou honto maji mada zutto itsumo tsurai shindoi kowai shinitai shinu
    shinde jisatsu kietai ikitai ikitakunai inai iranai gomen arigatou sayonara kimeta
    yametai wakaranai wakannai okaasan otousan sensei gakkou genkai tasukete muri yabai
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z']+")
_LATIN = re.compile(r"[a-z]")


def looks_like_romaji(normalised: str) -> bool:
    """Whether a normalised message reads as Japanese in the Latin alphabet."""
    if not normalised.isascii():
        return False
    words = _WORD.findall(normalised)
    if len(words) < 2 or len(set(words) & _MARKERS) < 2:
        return False
    converted = sum(1 for w in words if not _LATIN.search(jaconv.alphabet2kana(w)))
    return converted >= 0.8 * len(words)


# Where romaji is ambiguous, the reading people mean: konya is 今夜 (こんや), not こにゃ.
_MEANT = {"konya": "kon'ya", "konyaku": "kon'yaku"}
_MEANT_WORD = re.compile(r"\b(?:" + "|".join(_MEANT) + r")\b")


def romaji_to_kana(normalised: str) -> str:
    """The romaji message written in hiragana (kyou jisatsu suru -> きょう じさつ する)."""
    meant = _MEANT_WORD.sub(lambda m: _MEANT[m.group()], normalised)
    return str(jaconv.alphabet2kana(meant))
