"""The consultation record: required fields, lists, the municipality code's check digit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from handoff.records import RecordInvalid, is_valid_lg_code, lg_check_digit, validate_record

# code4fukui/localgovjp (CC0), shipped with the project.
LOCALGOV_CSV = Path(__file__).resolve().parents[1] / "flows" / "data" / "localgovjp.csv"


@pytest.mark.parametrize(
    "code",
    [
        "131016",  # 千代田区
        "011002",  # 札幌市
        "130001",  # 東京都
        "271004",  # 大阪市
        "271403",  # 堺市
        "131041",  # 新宿区
        "465291",  # 喜界町
        "062014",  # 山形市
    ],
)
def test_known_municipality_codes(code: str) -> None:
    assert lg_check_digit(code[:5]) == int(code[5])
    assert is_valid_lg_code(code)
    wrong = code[:5] + str((int(code[5]) + 1) % 10)
    assert not is_valid_lg_code(wrong)


def test_remainders_zero_and_one_give_one_and_zero() -> None:
    # sum 0 → remainder 0 → (11 - 0) % 10 = 1; a sum of 12 → remainder 1 → 10 % 10 = 0.
    assert lg_check_digit("00000") == 1
    assert lg_check_digit("00006") == 0  # 6 × 2 = 12


def test_every_municipality_in_the_national_list_passes() -> None:
    with LOCALGOV_CSV.open(encoding="utf-8-sig") as handle:
        codes = [row["lgcode"] for row in csv.DictReader(handle)]
    assert len(codes) > 1900
    assert [c for c in codes if not is_valid_lg_code(c)] == []


@pytest.mark.parametrize("code", ["13101", "1310160", "13101a", "", "１３１０１６"])
def test_malformed_codes(code: str) -> None:
    assert not is_valid_lg_code(code)


def test_a_full_record_is_normalised() -> None:
    record = validate_record(
        {
            "summary": "  家族のことで話を聴いた  ",
            "topics": ["family", "family", "money"],
            "urgency": "caution",
            "age_band": "16_18",
            "gender": "female",
            "lg_code": "062014",
            "risk_flags": ["suicidal_ideation"],
            "referrals": [" yorisoi ", "市の福祉課"],
            "escalation": {"to": "coordinator", "basis": "consent"},
        }
    )
    assert record["summary"] == "家族のことで話を聴いた"
    assert record["topics"] == ["family", "money"]
    assert record["referrals"] == ["yorisoi", "市の福祉課"]


@pytest.mark.parametrize(
    ("record", "fields"),
    [
        (None, {"record"}),
        ("text", {"record"}),
        ({}, {"record.summary", "record.topics", "record.urgency"}),
        (
            {"summary": "  ", "topics": ["astrology"], "urgency": "normal"},
            {"record.summary", "record.topics"},
        ),
        ({"summary": "x", "topics": "loneliness", "urgency": "normal"}, {"record.topics"}),
        ({"summary": "x" * 4001, "topics": ["work"], "urgency": "normal"}, {"record.summary"}),
        (
            {
                "summary": "x",
                "topics": ["work"],
                "urgency": "normal",
                "risk_flags": ["sad"],
                "referrals": [""],
                "gender": "x",
                "extra": 1,
            },
            {"record.risk_flags", "record.referrals", "record.gender", "record.extra"},
        ),
        (
            {
                "summary": "x",
                "topics": ["work"],
                "urgency": "normal",
                "escalation": {"to": "fbi", "why": "?"},
            },
            {"record.escalation.to", "record.escalation.basis", "record.escalation.why"},
        ),
        (
            {"summary": "x", "topics": ["work"], "urgency": "normal", "lg_code": 131016},
            {"record.lg_code"},
        ),
    ],
)
def test_problems_name_their_fields(record: object, fields: set[str]) -> None:
    with pytest.raises(RecordInvalid) as raised:
        validate_record(record)
    assert {p.field for p in raised.value.problems} == fields
