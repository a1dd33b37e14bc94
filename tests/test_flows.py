"""Flows and locales are checked in two stages, with errors that point at file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.actions import REGISTRY
from bot.components import check_flows, registry_names
from bot.engine.spec import parse_flow, reference_problems
from bot.i18n import Locales, placeholders
from bot.paths import flows_dir
from bot.yamldata import DataError


@pytest.fixture(scope="module")
def locales() -> Locales:
    return Locales.load()


def test_shipped_flows_and_locales_pass_both_stages(locales: Locales) -> None:
    flows = check_flows(locales)
    assert "guidance" in flows
    assert len(flows["guidance"].states) >= 20


def test_every_full_locale_has_every_key_of_japanese(locales: Locales) -> None:
    ja = locales.get("ja").strings
    for loc in locales.full_locales():
        missing = sorted(set(ja) - set(loc.strings))
        assert not missing, f"{loc.code} lacks {missing[:10]}"
        for key, text in loc.strings.items():
            if key in ja:
                assert placeholders(text) == placeholders(ja[key]), (loc.code, key)


def test_choice_labels_fit_line_quick_replies(locales: Locales) -> None:
    flow = check_flows(locales)["guidance"]
    labels = {c.label for c in flow.anywhere}
    for state in flow.states.values():
        labels.update(c.label for c in state.choices)
    for loc in locales.full_locales() + locales.variants():
        for key in labels:
            text = locales.text(loc.code, key)
            assert len(text) <= 20, f"{loc.code}:{key} is {len(text)} characters: {text}"


def _flow_copy(tmp_path: Path, edit: str, replacement: str) -> Path:
    (tmp_path / "schema").mkdir()
    shutil.copy(flows_dir() / "schema" / "flow.schema.json", tmp_path / "schema")
    text = (flows_dir() / "guidance.yaml").read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / "guidance.yaml"
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return path


def _problems(path: Path, locales: Locales) -> list[str]:
    try:
        flow = parse_flow(path)
    except DataError as exc:
        return exc.problems
    return reference_problems(flow, registry_names(REGISTRY), locales.missing)


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("edit", "replacement", "message"),
    [
        ("to: ask_age}", "to: ask_agee}", "no state named 'ask_agee'"),
        ("action: show_results", "action: show_resultz", "unknown action 'show_resultz'"),
        ("say: [guide.ask_age]", "say: [guide.ask_agge]", "missing key guide.ask_agge"),
        ("text: find_place", "text: find_plaice", "unknown text handler 'find_plaice'"),
        ("when: place_not_set", "when: place_unset", "unknown condition 'place_unset'"),
        (
            "set: {category: housing, related",
            "set: {category: housin, related",
            "unknown category 'housin'",
        ),
    ],
)
def test_reference_errors_name_the_file_and_line(
    tmp_path: Path, locales: Locales, edit: str, replacement: str, message: str
) -> None:
    path = _flow_copy(tmp_path, edit, replacement)
    problems = _problems(path, locales)
    assert any(message in p for p in problems), problems
    if "missing key" not in message:
        line = _line_of(path, replacement.split(":")[-1].strip(" }]"))
        assert any(p.startswith(f"{path}:{line}:") and message in p for p in problems), problems


def test_unreachable_state_is_reported(tmp_path: Path, locales: Locales) -> None:
    path = _flow_copy(
        tmp_path,
        "  sheet:\n",
        "  orphan:\n    say: [sheet.ready]\n"
        "    choices:\n      - {id: x, label: common.choice.back, to: welcome}\n"
        "  sheet:\n",
    )
    problems = _problems(path, locales)
    line = _line_of(path, "  orphan:")
    assert f"{path}:{line}: state 'orphan' cannot be reached" in problems


def test_a_dotted_path_from_yaml_never_reaches_transitions(
    tmp_path: Path, locales: Locales
) -> None:
    """transitions would import 'os.system' from a string: the schema refuses it first."""
    path = _flow_copy(tmp_path, "action: show_results", "action: os.system")
    problems = _problems(path, locales)
    line = _line_of(path, "os.system")
    assert any(p.startswith(f"{path}:{line}:") and "does not match" in p for p in problems)


def test_shape_errors_point_at_the_line(tmp_path: Path, locales: Locales) -> None:
    path = _flow_copy(
        tmp_path,
        "    say: [guide.ask_channel]\n",
        "    say: [guide.ask_channel]\n    colour: blue\n",
    )
    problems = _problems(path, locales)
    line = _line_of(path, "colour: blue")
    assert any(
        p.startswith(f"{path}:{line - 2}:") or p.startswith(f"{path}:{line - 1}:")
        for p in problems
        if "colour" in p
    ), problems


def test_locale_placeholders_must_agree(tmp_path: Path) -> None:
    for code in ("ja", "en"):
        (tmp_path / code).mkdir()
        (tmp_path / code / "locale.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "ja" / "messages.yaml").write_text("a:\n  b: '{n}件'\n", encoding="utf-8")
    (tmp_path / "en" / "messages.yaml").write_text("a:\n  b: '{count} items'\n", encoding="utf-8")
    problems = Locales.load(tmp_path).missing(["a.b", "a.c"])
    assert "locales/en: missing key a.c" in problems
    assert any("a.b has placeholders ['count']" in p for p in problems)


def test_the_flow_diagram_in_docs_is_generated_and_current() -> None:
    from bot.diagram import DOC, document

    assert DOC.read_text(encoding="utf-8") == document(), (
        "run `uv run tsunagari flow diagram --write`"
    )
