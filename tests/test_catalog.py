"""The support catalogue: loader errors with file:line, the real data, and opening hours
at fixed moments in Asia/Tokyo."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import (
    CATEGORY_IDS,
    TOKYO,
    Availability,
    Catalog,
    CatalogError,
    Entry,
    HoursKind,
    availability,
    check_main,
    default_catalog_dir,
    default_schema_path,
    order_by_availability,
    phone_problem,
)
from bot.i18n import Locales
from bot.messages import Say

TODAY = dt.date(2026, 11, 22)


def jst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(today=TODAY)


@pytest.fixture(scope="module")
def locales() -> Locales:
    return Locales.load()


# --- the real catalogue ---------------------------------------------------------------


def test_real_catalogue_has_at_least_150_entries_and_every_category(catalog: Catalog) -> None:
    assert len(catalog.entries) >= 150
    empty = [c for c, n in catalog.per_category().items() if n == 0]
    assert empty == []


def test_schema_category_enum_is_the_fixed_list() -> None:
    schema = json.loads(default_schema_path().read_text(encoding="utf-8"))
    assert tuple(schema["$defs"]["category"]["enum"]) == CATEGORY_IDS


def test_every_phone_number_is_well_formed(catalog: Catalog) -> None:
    phones = [(e.id, c.value) for e in catalog.entries for c in e.phones()]
    assert len(phones) > 30
    assert [(i, v, phone_problem(v)) for i, v in phones if phone_problem(v)] == []


@pytest.mark.parametrize(
    "value",
    [
        "0120-279-33",  # one digit short
        "0120279338",  # no groups: cannot be read back to a person
        "090-1234-567",  # mobile numbers have 11 digits
        "0570-0-55210-1",  # too many digits
        "#800",  # short codes have four digits
        "111",  # not a three-digit service number
        "03-5286-909O",  # letter O for zero
    ],
)
def test_phone_problem_rejects_malformed_numbers(value: str) -> None:
    assert phone_problem(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "0120-279-338",
        "0120-0-78310",
        "0570-078374",
        "03-5286-9090",
        "050-3754-5430",
        "0800-100-2707",
        "#8008",
        "189",
        "110",
    ],
)
def test_phone_problem_accepts_published_formats(value: str) -> None:
    assert phone_problem(value) is None


def _root(entry: Entry, by_id: dict[str, Entry]) -> str:
    while entry.part_of is not None:
        entry = by_id[entry.part_of]
    return entry.id


def test_shared_phone_numbers_only_between_parts_of_one_entry(catalog: Catalog) -> None:
    by_id = {e.id: e for e in catalog.entries}
    holders: defaultdict[str, set[str]] = defaultdict(set)
    for entry in catalog.entries:
        for contact in entry.phones():
            holders[contact.value.replace("-", "")].add(entry.id)
    unintended = {
        number: sorted(ids)
        for number, ids in holders.items()
        if len({_root(by_id[i], by_id) for i in ids}) > 1
    }
    assert unintended == {}


def test_retired_numbers_never_appear(catalog: Catalog) -> None:
    # Old or unconfirmed numbers that must not be published (windows-verified.md).
    retired = {"0570-0-78310", "0570-783-189", "0570-0-55210", "03-5772-2183", "0120-76-2029"}
    published = {c.value for e in catalog.entries for c in e.contacts}
    assert published & retired == set()
    line_ids = {c.value for e in catalog.entries for c in e.contacts if c.kind == "line"}
    assert "@snsjinkensoudan" not in line_ids


def test_derived_entries_carry_the_exact_credit(catalog: Catalog) -> None:
    attribution = (default_catalog_dir() / "ATTRIBUTION.md").read_text(encoding="utf-8")
    derived = [e for e in catalog.entries if e.derived_from]
    assert len(derived) >= 80
    credits = {e.derived_from.credit for e in derived if e.derived_from}
    assert credits == {
        "出典：内閣官房孤独・孤立対策担当室『あなたはひとりじゃない』"
        "チャットボット掲載情報（2021年、CC BY 4.0、Civichat抽出）"
    }
    assert credits.pop() in attribution


def test_crisis_lines_reach_someone_late_at_night(catalog: Catalog) -> None:
    crisis = catalog.crisis_entries()
    at_three = jst(2026, 11, 25, 3, 0)
    open_now = [e.id for e in crisis if e.is_open(at_three)]
    assert "yorisoi_hotline" in open_now
    assert "police_110" in open_now
    for entry in crisis:
        assert any(c.kind in ("phone", "chat", "line") for c in entry.contacts), entry.id


def test_periodic_9999_is_never_open(catalog: Catalog) -> None:
    line = catalog.get("kodoku_koritsu_dial_9999")
    assert line.hours.kind is HoursKind.PERIODIC
    # Inside the 2025–26 year-end period the line ran: the data still cannot say "open".
    assert line.is_open(jst(2025, 12, 30, 12, 0)) is None


def test_check_reports_entries_older_than_a_year(catalog: Catalog) -> None:
    report = catalog.check(TODAY)
    stale_ids = {e.id for e in catalog.stale(TODAY)}
    assert len(report) == len(stale_ids) > 0
    assert "yorisoi_hotline" not in stale_ids  # verified 2026-01-26
    assert "hokenjo_health_center" in stale_ids  # 2021 data only
    assert all(
        re.match(r"^.+\.yaml:\d+: \S+: verified_at \d{4}-\d{2}-\d{2} is \d+ days old", line)
        for line in report
    )


def test_check_main_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_main(["--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "entries per category:" in out
    assert re.search(r"^  suicidal +\d+$", out, re.M)
    assert re.search(r"^stale \(verified more than a year before 2026-11-22\): \d+$", out, re.M)
    assert "errors: 0" in out


# --- loader errors ----------------------------------------------------------------------

GOOD_ENTRY = """\
  - id: {id}
    kind: window
    status: active
    name: テスト窓口
    provider: テスト
    summary: テストのための窓口です。
    offers: 話を聴きます。
    apply_at: 電話
    audience: {{gender: any, languages: [ja]}}
    categories: [{category}]
    contact:
      - {{kind: phone, value: "{phone}"}}
    hours: {{kind: always}}
    cost: free
    verified_at: {verified_at}
    source_url: https://example.org/
"""


def entry_yaml(
    id: str = "test_window",
    category: str = "loneliness",
    phone: str = "0120-279-338",
    verified_at: str = "2026-01-01",
) -> str:
    return GOOD_ENTRY.format(id=id, category=category, phone=phone, verified_at=verified_at)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        Catalog.load(directory, today=TODAY)
    return caught.value.problems


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "entries:\n" + entry_yaml())
    loaded = Catalog.load(tmp_path, today=TODAY)
    assert [e.id for e in loaded.entries] == ["test_window"]
    assert loaded.entries[0].line == 2


def test_loader_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + entry_yaml("one")
        + entry_yaml("bad_phone", phone="0120-279-33")
        + entry_yaml("bad_date", verified_at="2026-02-30")
        + entry_yaml("future", verified_at="2027-01-01"),
    )
    second = write(tmp_path, "b.yaml", "entries:\n" + entry_yaml("one"))
    found = problems(tmp_path)
    assert len(found) == 4, found
    short_phone = line_of(first, '"0120-279-33"')
    assert f"{first}:{short_phone}: phone '0120-279-33' has 9 digits" in "\n".join(found)
    assert any(
        p.startswith(f"{first}:{line_of(first, '2026-02-30')}: '2026-02-30' is not a real date")
        for p in found
    )
    assert any(
        p.startswith(f"{first}:{line_of(first, '2027-01-01')}: 2027-01-01 is in the future")
        for p in found
    )
    assert any(p.startswith(f"{second}:2: duplicate id 'one' (first at {first}:2)") for p in found)


def test_schema_errors_name_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + entry_yaml(category="lonely")
        + entry_yaml("second").replace("    cost: free\n", "    cost: free\n    colour: blue\n"),
    )
    found = problems(tmp_path)
    assert any(
        p.startswith(f"{path}:{line_of(path, '[lonely]')}:") and "'lonely' is not one of" in p
        for p in found
    ), found
    assert any(
        p.startswith(f"{path}:{line_of(path, '- id: second')}:") and "'colour' was unexpected" in p
        for p in found
    ), found


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "entries:\n  - id: x\n    name: [unclosed\n")
    found = problems(tmp_path)
    assert len(found) == 1 and found[0].startswith(f"{path}:")
    assert "not valid YAML" in found[0]


def test_time_ranges_and_spans_are_checked(tmp_path: Path) -> None:
    weekly = entry_yaml().replace(
        "    hours: {kind: always}\n",
        "    hours:\n"
        "      kind: weekly\n"
        "      rules:\n"
        '        - {days: [mon], ranges: ["21:00-16:00"]}\n'
        '        - {days: [tue], ranges: ["08:00-33:00"]}\n'
        "      holidays: own\n"
        '      closed: ["02-30"]\n',
    )
    path = write(tmp_path, "a.yaml", "entries:\n" + weekly)
    found = "\n".join(problems(tmp_path))
    assert (
        f"{path}:{line_of(path, '21:00-16:00')}: '21:00-16:00': the end must come after" in found
    )
    assert f"{path}:{line_of(path, '08:00-33:00')}: '08:00-33:00' is longer than 24 hours" in found
    assert f"{path}:{line_of(path, 'holidays: own')}: holidays: own needs a rule" in found
    assert f"{path}:{line_of(path, '02-30')}: '02-30' is not a real" in found


def test_references_are_checked(tmp_path: Path) -> None:
    text = "entries:\n" + entry_yaml().replace(
        "    cost: free\n",
        "    cost: free\n    part_of: nobody\n"
        "    derived_from: {dataset: unknown-set, row_line: 4}\n",
    )
    path = write(tmp_path, "a.yaml", text)
    found = "\n".join(problems(tmp_path))
    assert f"{path}:{line_of(path, 'unknown-set')}: unknown dataset 'unknown-set'" in found


def test_stale_boundary_is_one_year(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "entries:\n"
        + entry_yaml("fresh", verified_at="2025-11-22")
        + entry_yaml("stale", verified_at="2025-11-21"),
    )
    loaded = Catalog.load(tmp_path, today=TODAY)
    assert [e.id for e in loaded.stale(TODAY)] == ["stale"]


def test_check_main_fails_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a.yaml", "entries:\n" + entry_yaml(phone="12345"))
    assert check_main(["--dir", str(tmp_path), "--today", "2026-11-22"]) == 1
    out = capsys.readouterr().out
    assert "catalogue errors: 1" in out
    assert f"{path}:{line_of(path, '12345')}: phone '12345'" in out


# --- opening hours at fixed moments -------------------------------------------------------


def test_inochi_free_dial_opens_at_16_on_a_weekday(catalog: Catalog) -> None:
    line = catalog.get("inochi_no_denwa_free")
    assert line.is_open(jst(2026, 11, 24, 16, 0)) is True  # Tuesday
    assert line.is_open(jst(2026, 11, 24, 15, 59)) is False
    assert line.is_open(jst(2026, 11, 24, 21, 0)) is False


def test_inochi_free_dial_runs_24_hours_from_the_10th(catalog: Catalog) -> None:
    line = catalog.get("inochi_no_denwa_free")
    assert line.is_open(jst(2026, 12, 10, 7, 59)) is False
    assert line.is_open(jst(2026, 12, 10, 8, 0)) is True
    assert line.is_open(jst(2026, 12, 11, 3, 0)) is True  # past midnight from the 10th
    assert line.is_open(jst(2026, 12, 11, 7, 59)) is True
    assert line.is_open(jst(2026, 12, 11, 8, 0)) is False


def test_aware_times_in_other_zones_are_read_in_tokyo(catalog: Catalog) -> None:
    line = catalog.get("inochi_no_denwa_free")
    assert line.is_open(dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)) is True  # 16:00 JST
    with pytest.raises(ValueError):
        line.is_open(dt.datetime(2026, 11, 24, 16, 0))


def test_childline_is_closed_over_new_year(catalog: Catalog) -> None:
    line = catalog.get("childline_phone")
    assert line.is_open(jst(2026, 12, 28, 17, 0)) is True
    assert line.is_open(jst(2026, 12, 30, 17, 0)) is False
    assert line.is_open(jst(2027, 1, 3, 17, 0)) is False
    assert line.is_open(jst(2027, 1, 4, 17, 0)) is True


def test_childline_chat_runs_first_and_third_monday_and_tue_to_sat(catalog: Catalog) -> None:
    chat = catalog.get("childline_chat")
    assert chat.is_open(jst(2026, 12, 7, 17, 0)) is True  # 1st Monday
    assert chat.is_open(jst(2026, 12, 14, 17, 0)) is False  # 2nd Monday
    assert chat.is_open(jst(2026, 12, 21, 17, 0)) is True  # 3rd Monday
    assert chat.is_open(jst(2026, 12, 13, 17, 0)) is False  # Sunday
    assert chat.is_open(jst(2026, 12, 15, 17, 0)) is True  # Tuesday
    # Children's Day 2026-05-05 is a Tuesday: the source says nothing about holidays.
    assert chat.is_open(jst(2026, 5, 5, 17, 0)) is None


def test_national_holiday_closes_weekday_windows(catalog: Catalog) -> None:
    support = catalog.get("houterasu_support_dial")
    assert support.is_open(jst(2026, 11, 23, 10, 0)) is False  # 勤労感謝の日 (Monday)
    assert support.is_open(jst(2026, 11, 24, 10, 0)) is True
    assert support.is_open(jst(2026, 11, 28, 16, 59)) is True  # Saturday 9–17
    assert support.is_open(jst(2026, 11, 29, 10, 0)) is False  # Sunday
    assert support.is_open(jst(2026, 9, 22, 10, 0)) is False  # 国民の休日 between holidays
    # Year-end days are only "maybe closed" in the source: the answer is unknown.
    assert support.is_open(jst(2026, 12, 29, 10, 0)) is None


def test_range_past_midnight(catalog: Catalog) -> None:
    centre = catalog.get("tokyo_suicide_prevention_center")
    assert centre.is_open(jst(2026, 11, 24, 1, 0)) is True  # Tuesday 1:00, Monday's night
    assert centre.is_open(jst(2026, 11, 24, 2, 30)) is False
    assert centre.is_open(jst(2026, 11, 30, 21, 0)) is False  # Monday opens at 22:30
    assert centre.is_open(jst(2026, 11, 30, 22, 30)) is True
    assert centre.is_open(jst(2026, 11, 24, 17, 0)) is True  # Tuesday opens at 17:00
    assert centre.is_open(jst(2026, 11, 29, 20, 0)) is True  # Sunday


def test_unknown_hours_say_none(catalog: Catalog) -> None:
    at = jst(2026, 11, 24, 12, 0)
    assert catalog.get("kokoro_unified_dial").is_open(at) is None  # varies by prefecture
    assert catalog.get("seikatsu_konkyusha_jiritsu_shien").is_open(at) is None  # local
    assert catalog.get("inochi_sos").is_open(at) is None  # unconfirmed
    assert catalog.get("child_abuse_dial_189").is_open(at) is True  # always


def test_open_and_24_hour_windows_come_first_at_night(catalog: Catalog) -> None:
    at = jst(2026, 11, 25, 2, 0)
    ids = [
        "inochi_no_denwa_free",
        "kokoro_unified_dial",
        "tokyo_suicide_prevention_center",
        "yorisoi_hotline",
    ]
    ordered = [e.id for e in order_by_availability([catalog.get(i) for i in ids], at)]
    assert ordered == [
        "yorisoi_hotline",
        "tokyo_suicide_prevention_center",
        "kokoro_unified_dial",
        "inochi_no_denwa_free",
    ]
    assert availability(catalog.get("inochi_no_denwa_free"), at) is Availability.CLOSED


def test_tap_to_call_links(catalog: Catalog) -> None:
    assert catalog.get("inochi_no_denwa_free").phones()[0].href == "tel:0120783556"
    assert catalog.get("dv_soudan_navi").phones()[0].href == "tel:%238008"
    line = next(c for c in catalog.get("line_jinken_soudan").contacts if c.kind == "line")
    assert line.href == "https://line.me/R/ti/p/%40linejinkensoudan"


# --- describe(): structured, rendered by locale -------------------------------------------


def render(locales: Locales, code: str, value: Any) -> str:
    """A minimal renderer: what a channel does with Hours.describe()."""
    if isinstance(value, Say):
        params = {k: render(locales, code, v) for k, v in value.params.items()}
        return locales.text(code, value.key, params)
    if isinstance(value, tuple):
        separator = locales.text(code, "catalog.list_separator")
        return separator.join(render(locales, code, v) for v in value)
    return str(value)


def keys_in(value: Any) -> Iterator[str]:
    if isinstance(value, Say):
        yield value.key
        for param in value.params.values():
            yield from keys_in(param)
    elif isinstance(value, tuple):
        for item in value:
            yield from keys_in(item)


def test_describe_renders_in_japanese_and_english(catalog: Catalog, locales: Locales) -> None:
    said = catalog.get("inochi_no_denwa_free").hours.describe()
    ja = [render(locales, "ja", s) for s in said]
    assert ja[:2] == ["毎日 16:00〜21:00", "毎月10日 8:00〜翌8:00"]
    en = [render(locales, "en", s) for s in said]
    assert en[:2] == ["Every day: 16:00–21:00", "day 10 of each month: 8:00–8:00 (next day)"]
    chat = [render(locales, "ja", s) for s in catalog.get("childline_chat").hours.describe()]
    assert chat[:3] == [
        "第1、第3月曜日 16:00〜21:00",
        "火曜日〜土曜日 16:00〜21:00",
        "祝日の受付は確認中です。",
    ]
    assert "12月29日〜1月3日はお休みです。" in chat


def test_describe_uses_no_prose_and_every_key_exists(catalog: Catalog, locales: Locales) -> None:
    used = {key for e in catalog.entries for s in e.hours.describe() for key in keys_in(s)}
    used |= {f"catalog.category.{c}" for c in CATEGORY_IDS}
    used |= {f"catalog.contact.{c.kind}" for e in catalog.entries for c in e.contacts}
    used |= {f"catalog.cost.{e.cost}" for e in catalog.entries}
    assert locales.missing(used) == []
    assert all(key.startswith("catalog.") for key in used)
