"""Municipalities: check digits, loading with file:line errors, and lookups as typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.places import (
    MYNAPORTAL_URL,
    Places,
    PlacesError,
    check_digit,
    is_valid_code,
    normalise,
    prefecture_code,
)


@pytest.fixture(scope="module")
def places() -> Places:
    return Places.load()


@pytest.mark.parametrize(
    "code6",
    [
        "131016",  # 千代田区
        "011002",  # 札幌市
        "271403",  # 堺市
        "130001",  # 東京都
        "271004",  # 大阪市
        "131041",  # 新宿区
        "465291",  # 喜界町 (remainder 0 gives check digit 1)
        "062014",  # 山形市
    ],
)
def test_check_digits_of_known_codes(code6: str) -> None:
    assert check_digit(code6[:5]) == code6[5]
    assert is_valid_code(code6)


@pytest.mark.parametrize("code", ["131017", "13101", "1310160", "13101a", ""])
def test_invalid_codes(code: str) -> None:
    assert not is_valid_code(code)


def test_check_digit_needs_five_digits() -> None:
    with pytest.raises(ValueError):
        check_digit("1310")


def test_prefecture_codes() -> None:
    assert prefecture_code(13) == "130001"
    assert prefecture_code(1) == "010006"


def test_the_whole_file_loads_with_valid_codes(places: Places) -> None:
    assert len(places.municipalities) > 1700
    assert len(places.prefectures) == 47
    assert all(is_valid_code(m.code) for m in places.municipalities)
    assert all(m.homepage.startswith(("https://", "http://")) for m in places.municipalities)


def test_lookup_by_code(places: Places) -> None:
    chiyoda = places.by_code("131016")
    assert chiyoda is not None
    assert (chiyoda.name, chiyoda.prefecture.name) == ("千代田区", "東京都")
    assert chiyoda.kana == "ちよだく"
    assert chiyoda.homepage == "https://www.city.chiyoda.lg.jp/"
    assert places.by_code("13101") == chiyoda  # 5-digit form without check digit
    assert places.by_code("131017") is None  # wrong check digit
    sakai = places.by_code("271403")
    assert sakai is not None and sakai.full_name == "大阪府堺市"


def test_search_by_partial_name_and_kana(places: Places) -> None:
    found = places.search("横浜")
    names = [m.full_name for m in found]
    assert "神奈川県横浜市" in names and "青森県横浜町" in names
    city = names.index("神奈川県横浜市")
    assert all(not m.is_ward for m in found[: city + 1])  # cities before wards
    assert places.search("よこはま") == places.search("ヨコハマ") == found
    assert places.search("神奈川県横浜市")[0].full_name == "神奈川県横浜市"
    assert places.search("京都市")[0].full_name == "京都府京都市"
    assert [m.code for m in places.search("131016")] == ["131016"]
    assert places.search("  ") == []
    assert places.search("存在しない町") == []


def test_wards_and_prefecture_lists(places: Places) -> None:
    yokohama = places.by_code("141003")
    assert yokohama is not None and not yokohama.is_ward
    wards = places.wards_of(yokohama)
    assert len(wards) == 18
    assert all(w.city_name == "横浜市" for w in wards)
    tokyo = places.prefecture("東京")
    assert tokyo is not None and tokyo.code == "130001"
    tokyo_list = places.in_prefecture(tokyo)
    assert places.by_code("131016") in tokyo_list  # special wards are municipalities
    kanagawa = places.prefecture("神奈川県")
    assert kanagawa is not None
    assert yokohama in places.in_prefecture(kanagawa)
    assert wards[0] not in places.in_prefecture(kanagawa)
    assert wards[0] in places.in_prefecture(kanagawa, wards=True)


def test_normalise_folds_width_spaces_and_katakana() -> None:
    assert normalise("ヨコハマ　シ") == "よこはまし"
    assert normalise("ｻｯﾎﾟﾛ") == "さっぽろ"


def test_loader_reports_bad_codes_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "localgov.csv"
    path.write_text(
        "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode\n"
        "13,東京都,13101,千代田区,ちよだく,35.69,139.75,https://www.city.chiyoda.lg.jp/,,131016\n"
        "13,東京都,13102,中央区,ちゅうおうく,35.67,139.77,https://www.city.chuo.lg.jp/,,131025\n"
        "14,神奈川県,13103,港区,みなとく,35.65,139.75,https://www.city.minato.tokyo.jp/,,131032\n",
        encoding="utf-8",
    )
    with pytest.raises(PlacesError) as caught:
        Places.load(path)
    assert caught.value.problems == [
        f"{path}:3: '131025' is not a valid 6-digit local government code (check digit)",
        f"{path}:4: code 131032 is not in prefecture 14",
    ]


def test_mynaportal_link_is_the_top_page() -> None:
    assert MYNAPORTAL_URL == "https://myna.go.jp/"
