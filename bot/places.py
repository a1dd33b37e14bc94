"""Prefectures and municipalities: codes, names, kana and homepages.

Local windows (「お住まいの市区町村の…」) are shown with a link to the municipality's own
site, so the person needs to say where they live. The data is code4fukui/localgovjp
(CC0, ``flows/data/localgovjp.csv``): every city, town, village and ward with its
6-digit 全国地方公共団体コード, whose last digit is a check digit (総務省's rule, see
``check_digit``). Loading refuses a file with a bad code, reporting ``file:line``.

Lookups accept what a person types: a code, a full or partial name (「横浜」), kana in
hiragana or katakana (「よこはま」「ヨコハマ」), optionally after a prefecture name
(「神奈川県横浜市」).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.paths import flows_dir
from bot.yamldata import DataError

# マイナポータル's top page. No public deep-link format opens its 「さがす」 search for one
# municipality (shared/research/domain-notes.md §3.1), so results link here and say what
# to search for (an entry's search_hint) instead of guessing a URL.
MYNAPORTAL_URL = "https://myna.go.jp/"

_WEIGHTS = (6, 5, 4, 3, 2)


def default_places_file() -> Path:
    return flows_dir() / "data" / "localgovjp.csv"


class PlacesError(DataError):
    """The municipality file has problems; ``problems`` lists each as ``file:line``."""


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit local government code (総務省: weights 6-5-4-3-2,
    sum mod 11, 11 minus the remainder, last digit of that)."""
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError(f"not a 5-digit code: {code5!r}")
    total = sum(int(c) * w for c, w in zip(code5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_code(code6: str) -> bool:
    """Whether ``code6`` is a 6-digit code whose check digit is right."""
    return len(code6) == 6 and code6.isdigit() and check_digit(code6[:5]) == code6[5]


def prefecture_code(pref_number: int) -> str:
    """The 6-digit code of a prefecture (PP000 plus check digit, e.g. 13 -> 130001)."""
    code5 = f"{pref_number:02d}000"
    return code5 + check_digit(code5)


def normalise(text: str) -> str:
    """Text as compared in lookups: NFKC, no spaces, katakana folded to hiragana."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


@dataclass(frozen=True)
class Prefecture:
    number: int  # JIS X 0401, 1–47
    name: str

    @property
    def code(self) -> str:
        return prefecture_code(self.number)


@dataclass(frozen=True)
class Municipality:
    code: str  # 6 digits with check digit
    prefecture: Prefecture
    name: str  # 「札幌市 中央区」 for a ward of a designated city
    kana: str
    homepage: str
    lat: float
    lng: float

    @property
    def is_ward(self) -> bool:
        """A ward (区) of a designated city; Tokyo's special wards are municipalities."""
        return " " in self.name

    @property
    def city_name(self) -> str:
        """The city a ward belongs to, or the municipality's own name."""
        return self.name.split(" ")[0]

    @property
    def display_name(self) -> str:
        return self.name.replace(" ", "")

    @property
    def full_name(self) -> str:
        return self.prefecture.name + self.display_name

    @cached_property
    def _keys(self) -> tuple[str, str]:
        return normalise(self.name), normalise(self.kana)


class Places:
    def __init__(self, municipalities: list[Municipality]) -> None:
        self.municipalities = municipalities
        self._by_code = {m.code: m for m in municipalities}
        prefectures: dict[int, Prefecture] = {}
        for m in municipalities:
            prefectures.setdefault(m.prefecture.number, m.prefecture)
        self.prefectures = [prefectures[n] for n in sorted(prefectures)]

    @classmethod
    def load(cls, path: Path | None = None) -> Places:
        path = path or default_places_file()
        problems: list[str] = []
        municipalities: list[Municipality] = []
        prefectures: dict[int, Prefecture] = {}
        seen: dict[str, int] = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                line = reader.line_num
                code = row["lgcode"]
                if not is_valid_code(code):
                    problems.append(
                        f"{path}:{line}: {code!r} is not a valid 6-digit local "
                        "government code (check digit)"
                    )
                    continue
                if code in seen:
                    problems.append(f"{path}:{line}: code {code} also on line {seen[code]}")
                    continue
                seen[code] = line
                number = int(row["pid"])
                if code[:2] != f"{number:02d}":
                    problems.append(f"{path}:{line}: code {code} is not in prefecture {number}")
                    continue
                pref = prefectures.setdefault(number, Prefecture(number, row["pref"]))
                municipalities.append(
                    Municipality(
                        code=code,
                        prefecture=pref,
                        name=row["city"],
                        kana=row["citykana"],
                        homepage=row["url"],
                        lat=float(row["lat"]),
                        lng=float(row["lng"]),
                    )
                )
        if problems:
            raise PlacesError(problems)
        return cls(municipalities)

    def by_code(self, code: str) -> Municipality | None:
        """The municipality with this 6-digit code (or its 5-digit form without the
        check digit, as 国土数値情報 and JIS X 0402 write it)."""
        code = code.strip()
        if len(code) == 5 and code.isdigit():
            code += check_digit(code)
        return self._by_code.get(code) if is_valid_code(code) else None

    def prefecture(self, name_or_number: str | int) -> Prefecture | None:
        if isinstance(name_or_number, int):
            return next((p for p in self.prefectures if p.number == name_or_number), None)
        key = normalise(name_or_number)
        for pref in self.prefectures:
            # 「東京」 finds 東京都, 「大阪」 大阪府, 「北海道」 itself.
            if key in (pref.name, pref.name[:-1]) and key:
                return pref
        return None

    def in_prefecture(self, prefecture: Prefecture, *, wards: bool = False) -> list[Municipality]:
        """The municipalities of a prefecture in code order (a designated city once,
        without its wards, unless ``wards``)."""
        return [
            m
            for m in self.municipalities
            if m.prefecture == prefecture and (wards or not m.is_ward)
        ]

    def wards_of(self, city: Municipality) -> list[Municipality]:
        return [
            m
            for m in self.municipalities
            if m.is_ward and m.prefecture == city.prefecture and m.city_name == city.name
        ]

    def search(self, text: str, *, limit: int = 20) -> list[Municipality]:
        """Municipalities matching what a person typed: a code, or a name or kana that
        equals, starts with or contains it, in that order; cities before wards."""
        key = normalise(text)
        if not key:
            return []
        candidates = self.municipalities
        for pref in self.prefectures:
            # 「神奈川県横浜市」: narrow to the prefecture and match the rest. Only the full
            # name counts: 「京都市」 starts with 京都(府) but means the city.
            if key.startswith(pref.name) and len(key) > len(pref.name):
                candidates = [m for m in candidates if m.prefecture == pref]
                key = key[len(pref.name) :]
                break
        by_code = self.by_code(key) if key.isdigit() else None
        if by_code:
            return [by_code]
        ranked: list[tuple[int, int, Municipality]] = []
        for m in candidates:
            name, kana = m._keys
            if key in (name, kana):
                rank = 0
            elif name.startswith(key) or kana.startswith(key):
                rank = 1
            elif key in name or key in kana:
                rank = 2
            else:
                continue
            ranked.append((rank, int(m.is_ward), m))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [m for _, _, m in ranked[:limit]]
