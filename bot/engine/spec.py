"""Flows as data: ``flows/*.yaml`` parsed into typed specs and checked in two stages.

Stage 1 is shape (``flows/schema/flow.schema.json``). Stage 2 is references: every
target state exists, every key exists in every locale, every action, condition,
provider and text handler is registered, every state is reachable from the start.
Both stages report ``file:line: message`` and run at start-up and in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.categories import CATEGORY_IDS
from bot.paths import flows_dir
from bot.yamldata import DataError, SourcedData, load_checked

SCHEMA = "schema/flow.schema.json"
# Other data that lives beside the flows, each with its own schema and loader.
NOT_FLOWS = frozenset({"handoff.yaml", "handoff.example.yaml"})


@dataclass(frozen=True)
class ChoiceSpec:
    id: str
    label: str
    to: str
    set: Mapping[str, Any] = field(default_factory=dict)
    when: str | None = None


@dataclass(frozen=True)
class PickSpec:
    source: str
    set: str
    to: str


@dataclass(frozen=True)
class StateSpec:
    name: str
    say: tuple[str, ...] = ()
    action: str | None = None
    outcomes: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[ChoiceSpec, ...] = ()
    pick: PickSpec | None = None
    text: str = "triage"
    mode: str = "bot"


@dataclass(frozen=True)
class FlowSpec:
    name: str
    initial: str
    states: Mapping[str, StateSpec]
    anywhere: tuple[ChoiceSpec, ...]
    source: SourcedData
    text_outcomes: Mapping[str, str] = field(default_factory=dict)
    entered_by_events: tuple[str, ...] = ()

    def message_keys(self) -> set[str]:
        used: set[str] = {c.label for c in self.anywhere}
        for state in self.states.values():
            used.update(state.say)
            used.update(c.label for c in state.choices)
        return used


def _choice(raw: Mapping[str, Any]) -> ChoiceSpec:
    return ChoiceSpec(
        id=raw["id"],
        label=raw["label"],
        to=raw["to"],
        set=dict(raw.get("set", {})),
        when=raw.get("when"),
    )


def parse_flow(path: Path) -> FlowSpec:
    doc = load_checked(
        path, path.parent / SCHEMA if (path.parent / SCHEMA).exists() else flows_dir() / SCHEMA
    )
    raw = doc.data
    states = {}
    for name, s in raw["states"].items():
        pick = s.get("pick")
        states[name] = StateSpec(
            name=name,
            say=tuple(s.get("say", ())),
            action=s.get("action"),
            outcomes=dict(s.get("outcomes", {})),
            choices=tuple(_choice(c) for c in s.get("choices", ())),
            pick=PickSpec(pick["from"], pick["set"], pick["to"]) if pick else None,
            text=s.get("text", "triage"),
            mode=s.get("mode", "bot"),
        )
    return FlowSpec(
        name=raw["flow"],
        initial=raw["initial"],
        states=states,
        anywhere=tuple(_choice(c) for c in raw.get("anywhere", ())),
        source=doc,
        text_outcomes=dict(raw.get("text_outcomes", {})),
        entered_by_events=tuple(raw.get("entered_by_events", ())),
    )


@dataclass(frozen=True)
class Registry:
    """The names flows may use; anything else in YAML is refused at start-up."""

    actions: Iterable[str]
    conditions: Iterable[str]
    providers: Iterable[str]
    text_handlers: Iterable[str]


def reference_problems(flow: FlowSpec, registry: Registry, locale_missing: Any) -> list[str]:
    """Stage 2. ``locale_missing(keys)`` returns the locale problems for the keys used."""
    doc = flow.source
    problems: list[str] = []
    actions, conditions = set(registry.actions), set(registry.conditions)
    providers, handlers = set(registry.providers), set(registry.text_handlers)

    def need_state(target: str, where: list[str | int]) -> None:
        if target not in flow.states:
            problems.append(f"{doc.where(where)}: no state named {target!r}")

    need_state(flow.initial, ["initial"])
    for i, c in enumerate(flow.anywhere):
        need_state(c.to, ["anywhere", i, "to"])
    for outcome, target in flow.text_outcomes.items():
        need_state(target, ["text_outcomes", outcome])
    for i, target in enumerate(flow.entered_by_events):
        need_state(target, ["entered_by_events", i])
    # A state may show an `anywhere` choice as a button, if it leads to the same place.
    anywhere_to = {c.id: c.to for c in flow.anywhere}
    for name, st in flow.states.items():
        base: list[str | int] = ["states", name]
        ids = [c.id for c in st.choices]
        clashes = {c.id for c in st.choices if c.id in anywhere_to and anywhere_to[c.id] != c.to}
        for dup in {i for i in ids if ids.count(i) > 1} | clashes:
            problems.append(f"{doc.where(base)}: choice id {dup!r} used twice")
        for i, c in enumerate(st.choices):
            need_state(c.to, [*base, "choices", i, "to"])
            for answer in ("category", "related"):
                value = c.set.get(answer)
                if value is not None and value not in CATEGORY_IDS:
                    problems.append(
                        f"{doc.where([*base, 'choices', i])}: unknown category {value!r}"
                    )
            if c.when and c.when not in conditions:
                problems.append(
                    f"{doc.where([*base, 'choices', i])}: unknown condition {c.when!r}"
                )
        if st.action and st.action not in actions:
            problems.append(f"{doc.where([*base, 'action'])}: unknown action {st.action!r}")
        if st.outcomes and not st.action:
            problems.append(f"{doc.where([*base, 'outcomes'])}: outcomes without an action")
        for outcome, target in st.outcomes.items():
            need_state(target, [*base, "outcomes", outcome])
        if st.pick:
            need_state(st.pick.to, [*base, "pick", "to"])
            if st.pick.source not in providers:
                problems.append(
                    f"{doc.where([*base, 'pick'])}: unknown provider {st.pick.source!r}"
                )
        if st.text not in handlers:
            problems.append(f"{doc.where([*base, 'text'])}: unknown text handler {st.text!r}")
        if not (st.choices or st.pick or st.outcomes or st.mode == "handoff"):
            problems.append(f"{doc.where(base)}: a dead end (no choices, pick or outcomes)")

    # Reachability from the initial state along every kind of edge.
    edges: dict[str, set[str]] = {n: set() for n in flow.states}
    for name, st in flow.states.items():
        edges[name].update(c.to for c in st.choices)
        edges[name].update(st.outcomes.values())
        if st.pick:
            edges[name].add(st.pick.to)
    reachable = (
        {flow.initial}
        | {c.to for c in flow.anywhere}
        | set(flow.text_outcomes.values())
        | set(flow.entered_by_events)
    )
    frontier = list(reachable)
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    for name in flow.states:
        if name not in reachable:
            problems.append(f"{doc.where(['states', name])}: state {name!r} cannot be reached")

    problems.extend(f"{doc.path}: {p}" for p in locale_missing(flow.message_keys()))
    return problems


def load_flows(directory: Path | None = None) -> dict[str, FlowSpec]:
    directory = directory or flows_dir()
    flows: dict[str, FlowSpec] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name in NOT_FLOWS:
            continue
        try:
            spec = parse_flow(path)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        flows[spec.name] = spec
    if problems:
        raise DataError(problems)
    return flows
