"""YAML data files checked by JSON Schema, with errors that point at file:line.

Used for every data file tsunagari loads at start-up (flows, catalogue, lexicons,
handoff configuration): a person editing YAML should be told where the problem is,
not shown a Python traceback.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class DataError(ValueError):
    """One or more problems in data files, each as ``file:line: message``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class SourcedData:
    """A parsed YAML document and a way back from a path inside it to its line."""

    path: Path
    data: Any
    _root: yaml.Node | None

    def line(self, location: Sequence[str | int]) -> int:
        """1-based line of the deepest node along ``location`` that exists."""
        node = self._root
        best = node.start_mark.line + 1 if node is not None else 1
        for step in location:
            line_node: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == str(step)), None)
                # Point at the key's line ("  sheet:"), where a person looks for it.
                line_node, nxt = pair if pair else (None, None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                nxt = node.value[step] if step < len(node.value) else None
                line_node = nxt
            else:
                nxt = None
            if nxt is None or line_node is None:
                break
            node = nxt
            best = line_node.start_mark.line + 1
        return best

    def where(self, location: Sequence[str | int]) -> str:
        return f"{self.path}:{self.line(location)}"


# libyaml's parser when PyYAML has it: the pure-Python one takes over a second for the
# catalogue, libyaml a small fraction of that.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TextDatesLoader(_SafeLoader):
    """A safe loader that keeps 2025-08-20 as text. Schemas (like JSON) want dates as text,
    and each loader checks them itself, so an impossible date (2026-02-30) is a problem
    reported with its line, not a crash inside PyYAML."""


TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> SourcedData:
    try:
        loader = TextDatesLoader(path.read_text(encoding="utf-8"))
        try:
            # Parse once: the node tree gives line numbers, the same tree gives the data.
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        raise DataError([f"{path}:1: not UTF-8 text ({exc.reason})"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", exc)
        raise DataError([f"{path}:{line}: not valid YAML: {problem}"]) from exc
    return SourcedData(path, data, root)


@cache
def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_problems(doc: SourcedData, schema_path: Path) -> list[str]:
    """Every schema violation in ``doc`` as ``file:line: message``, in file order."""
    errors = sorted(
        _validator(schema_path).iter_errors(doc.data), key=lambda e: doc.line(list(e.path))
    )
    problems = []
    for err in errors:
        where = "/".join(str(p) for p in err.path) or "(top)"
        problems.append(f"{doc.where(list(err.path))}: {where}: {err.message}")
    return problems


def load_checked(path: Path, schema_path: Path) -> SourcedData:
    doc = load_yaml(path)
    problems = schema_problems(doc, schema_path)
    if problems:
        raise DataError(problems)
    return doc
