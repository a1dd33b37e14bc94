"""Check a request to the LINE Messaging API against LINE's own OpenAPI spec and documented limits.

The spec (line/line-openapi `messaging-api.yml`, OpenAPI 3.0) lives in
`tests/data/line-openapi/`. It is loaded once per process (`LineSpec.load()`) and each
request body schema is compiled once, so a benchmark can check thousands of requests.

The component schemas are rewritten into plain, strict JSON Schema (draft 7) first:

- `discriminator` + `mapping` (Message by `type`, Action, FlexComponent, ...), which JSON Schema
  ignores: a discriminated base becomes a dispatcher, `if type == value then $ref Subtype` for
  each mapped value, and its `type` must be one of the mapped values (else "'txet' is not a
  Message type"). A subtype's `allOf: [$ref Base, {...}]` is pointed at a copy of the base
  without the discriminator (`Base__base`), so there is no loop; a subtype referenced directly
  (FlexCarousel.contents -> FlexBubble) must still carry its own `type` value.
- Unknown properties: the spec never says `additionalProperties: false`, which would not see
  through `allOf` anyway. Every complete object schema gets `propertyNames` = the union of the
  properties along its `allOf` chain, so a typo such as `quickreply` or `lable` fails.
- `nullable: true` admits null; `format` is checked for `uri` (LINE wants percent-encoded ASCII
  URLs), `uuid`, `date-time` and `date`, and dropped elsewhere (`int32`, `double`, ...).

Then `documented_limits` adds what LINE documents in prose but the YAML omits, each with the page
it comes from. Header rules (token, Content-Type, retry key) are in `LineSpec.check_request`.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
import jsonschema
import regex
import yaml
from jsonschema.exceptions import ValidationError
from multidict import CIMultiDict

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = REPO_ROOT / "tests" / "data" / "line-openapi"
SPEC_FILE = "messaging-api.yml"
SCHEMA_PREFIX = "#/components/schemas/"
BASE_SUFFIX = "__base"
# Markers in the rewritten schemas (validators ignore unknown keywords): they tell error messages
# and later rewrites what a node is for.
DISPATCHER = "x-dispatcher"
DISCRIMINATOR_OF = "x-discriminator-of"
ALLOWED_PROPERTIES = "x-allowed-properties"


@dataclass(frozen=True)
class Problem:
    """One way a request breaks the spec or a documented limit."""

    where: str  # "$.messages[0].text" for the body, "header Authorization" for headers
    message: str

    @property
    def detail_property(self) -> str:
        """The location the way LINE's error `details[].property` writes it: `messages[0].text`."""
        return self.where.removeprefix("$.").removeprefix("$")

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SpecMissingError(RuntimeError):
    """The shared OpenAPI spec is not where the tests expect it: fail loudly, never skip."""


# ---------------------------------------------------------------------------------------------
# Counting characters the way LINE does


def utf16_length(text: str) -> int:
    """LINE counts text in UTF-16 code units: 🍎 counts 2.

    https://developers.line.biz/en/docs/messaging-api/text-character-count/
    """
    return len(text.encode("utf-16-le")) // 2


_GRAPHEME = regex.compile(r"\X")


def grapheme_length(text: str) -> int:
    """Action objects are counted in grapheme clusters (UAX #29), not UTF-16 units.

    Same page as `utf16_length` ("ただし、以下のプロパティは…書記素クラスタ単位でカウントします":
    all action objects, buttons/confirm/carousel templates, rich menus). `regex`'s `\\X` is an
    extended grapheme cluster, so "👨‍👩‍👧" counts 1.
    """
    return len(_GRAPHEME.findall(text))


# ---------------------------------------------------------------------------------------------
# Turning the OpenAPI components into plain JSON Schema (draft 7)


def _walk_schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema dict under `node` (depth first, parents before children)."""
    if isinstance(node, dict):
        yield node
        for child in node.get("properties", {}).values():
            yield from _walk_schemas(child)
        for key in ("items", "additionalProperties", "not"):
            if isinstance(node.get(key), dict):
                yield from _walk_schemas(node[key])
        for key in ("allOf", "anyOf", "oneOf"):
            for child in node.get(key, []):
                yield from _walk_schemas(child)


def _every_schema(schemas: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for schema in schemas.values():
        yield from _walk_schemas(schema)


def _name(ref: str) -> str:
    return ref.removeprefix(SCHEMA_PREFIX)


def _apply_nullable(schemas: dict[str, Any]) -> None:
    """OpenAPI 3.0 `nullable: true` means JSON null is allowed too."""
    for node in _every_schema(schemas):
        if node.get("nullable") is True:
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]


def _keep_checked_formats(schemas: dict[str, Any]) -> None:
    """Drop formats that carry no check here (`int32`, `double`, `binary`, a stray regex...).

    Both validators then check exactly the formats in `FORMATS`, and no other.
    """
    for node in _every_schema(schemas):
        if node.get("format") not in FORMATS:
            node.pop("format", None)


def _rewrite_discriminators(schemas: dict[str, Any]) -> None:
    """Bases dispatch on their discriminator; `allOf` members point at copies without one."""
    originals = copy.deepcopy(schemas)
    wanted_bases: set[str] = set()
    for node in _every_schema(schemas):
        for member in node.get("allOf", []):
            if "$ref" in member:
                wanted_bases.add(_name(member["$ref"]))
                member["$ref"] += BASE_SUFFIX
    for name in wanted_bases:
        base = copy.deepcopy(originals[name])
        base.pop("discriminator", None)
        for node in _walk_schemas(base):
            for member in node.get("allOf", []):
                if "$ref" in member and not member["$ref"].endswith(BASE_SUFFIX):
                    member["$ref"] += BASE_SUFFIX
        schemas[name + BASE_SUFFIX] = base

    for name, original in originals.items():
        discriminator = original.get("discriminator")
        if not discriminator:
            continue
        key = discriminator["propertyName"]
        mapping = {value: _name(ref) for value, ref in discriminator["mapping"].items()}
        schemas[name] = {
            "type": "object",
            "required": [key],
            "properties": {
                key: {"type": "string", "enum": sorted(mapping), DISCRIMINATOR_OF: name}
            },
            "allOf": [
                {
                    "if": {"properties": {key: {"enum": [value]}}, "required": [key]},
                    "then": {"$ref": SCHEMA_PREFIX + subtype},
                }
                for value, subtype in mapping.items()
            ],
            DISPATCHER: True,
        }
        # A subtype can also be referenced directly (FlexCarousel.contents -> FlexBubble): there
        # its discriminator value must still be the one the mapping gives it.
        values_by_subtype: dict[str, list[str]] = {}
        for value, subtype in mapping.items():
            values_by_subtype.setdefault(subtype, []).append(value)
        for subtype, values in values_by_subtype.items():
            target = schemas[subtype]
            target.setdefault("properties", {})[key] = {"enum": values}
            required = target.setdefault("required", [])
            if key not in required:
                required.append(key)


def _allowed_properties(node: Mapping[str, Any], schemas: Mapping[str, Any]) -> set[str]:
    allowed = set(node.get("properties", {}))
    for member in node.get("allOf", []):
        target = schemas[_name(member["$ref"])] if "$ref" in member else member
        allowed |= _allowed_properties(target, schemas)
    return allowed


def _forbid_unknown_properties(schemas: dict[str, Any]) -> None:
    """Give every complete object schema the property names its whole `allOf` chain allows.

    `propertyNames` looks at the object's keys wherever the properties were declared, which
    `additionalProperties: false` (blind to `allOf` members) cannot. Parts of a chain (`allOf`
    members, `__base` copies) and dispatchers stay open; free-form objects and explicit
    `additionalProperties` maps are left as the spec has them.
    """

    def harden(node: dict[str, Any], is_part: bool) -> None:
        if (
            not is_part
            and DISPATCHER not in node
            and "additionalProperties" not in node
            and ("properties" in node or "allOf" in node)
        ):
            allowed = _allowed_properties(node, schemas)
            if allowed:
                node["propertyNames"] = {"enum": sorted(allowed), ALLOWED_PROPERTIES: True}
        for child in node.get("properties", {}).values():
            harden(child, False)
        for key in ("items", "additionalProperties", "not"):
            if isinstance(node.get(key), dict):
                harden(node[key], False)
        for child in node.get("allOf", []):
            harden(child, True)
        for key in ("anyOf", "oneOf"):
            for child in node.get(key, []):
                harden(child, False)

    for name, node in schemas.items():
        harden(node, is_part=name.endswith(BASE_SUFFIX))


def compile_components(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec's component schemas as strict draft-7 JSON Schema (see the module docstring)."""
    schemas: dict[str, Any] = copy.deepcopy(spec["components"]["schemas"])
    _apply_nullable(schemas)
    _keep_checked_formats(schemas)
    _rewrite_discriminators(schemas)
    _forbid_unknown_properties(schemas)
    return schemas


# ---------------------------------------------------------------------------------------------
# Formats, and error messages that name the place and not the value


def _is_uri(value: str) -> bool:
    # LINE: "The URL should be percent-encoded using UTF-8"
    # (https://developers.line.biz/en/reference/messaging-api/#url-encoding), so a URI here is
    # printable ASCII without spaces, with a scheme (and a host for http and https).
    if not value.isascii() or re.search(r"[\s<>\"{}|\\^`]", value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and (parts.scheme not in {"http", "https"} or bool(parts.netloc))


def _is_uuid(value: str) -> bool:
    # The spec: "Specifies the UUID in hexadecimal format (e.g., 123e4567-e89b-12d3-...)".
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _is_date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value.upper()


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


FORMATS: dict[str, Callable[[str], bool]] = {
    "uri": _is_uri,
    "uuid": _is_uuid,
    "date-time": _is_date_time,
    "date": _is_date,
}


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _path_order(error: ValidationError) -> list[tuple[int, int, str]]:
    return [(0, step, "") if isinstance(step, int) else (1, 0, step) for step in error.path]


def _problem(error: ValidationError) -> Problem:
    """A short message that does not repeat the (possibly long) value it is about."""
    where, value, bound = error.json_path, error.instance, error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if schema.get(ALLOWED_PROPERTIES):
        allowed = ", ".join(bound)
        return Problem(f"{where}.{value}", f"unknown property {value!r} (allowed here: {allowed})")
    if schema.get(DISCRIMINATOR_OF):
        known = ", ".join(bound)
        kind = schema[DISCRIMINATOR_OF]
        return Problem(where, f"{_short(value)} is not a {kind} type; the spec knows: {known}")
    match error.validator:
        case "maxLength":
            message = f"string of {len(value)} characters is longer than maxLength {bound}"
        case "minLength":
            message = f"string of {len(value)} characters is shorter than minLength {bound}"
        case "maxItems":
            message = f"{len(value)} items, more than maxItems {bound}"
        case "minItems":
            message = f"{len(value)} items, fewer than minItems {bound}"
        case "type":
            message = f"expected type {bound}, got {type(value).__name__} {_short(value, 30)}"
        case "enum":
            message = f"{_short(value)} is not one of {bound}"
        case "pattern":
            message = f"{_short(value)} does not match pattern {bound!r}"
        case "format":
            message = f"{_short(value)} is not a valid {bound}"
        case _:
            message = error.message if len(error.message) <= 300 else error.message[:299] + "…"
    return Problem(where, message)


# ---------------------------------------------------------------------------------------------
# Documented limits the YAML does not carry
#
# Source pages (read 2026-11-22 in the sources of developers.line.biz, English reference):
#   TEXT      https://developers.line.biz/en/reference/messaging-api/#text-message
#             "text … Max character limit: 5000"; "emojis … Max: 20 LINE emoji"; counted in
#             UTF-16 code units: https://developers.line.biz/en/docs/messaging-api/text-character-count/
#   QUICK     https://developers.line.biz/en/reference/messaging-api/#quick-reply-button-object
#             item `type` is required and is `action`; `action` is required.
#             (items ≤ 13 is in the YAML: QuickReply.items maxItems 13.)
#   LABEL     https://developers.line.biz/en/reference/messaging-api/#action-object-label-spec
#             postback/message/uri/datetimepicker/clipboard labels: quick reply button required,
#             max 20; template messages required, max 20 (image carousel optional, max 12);
#             Flex Message button required, max 40, other Flex components optional, max 40.
#             Counted in grapheme clusters (text-character-count page above). Camera (and the
#             other quick-reply-only actions): label required, max 20
#             (https://developers.line.biz/en/reference/messaging-api/#camera-action).
#   POSTBACK  https://developers.line.biz/en/reference/messaging-api/#postback-action
#             `data` required, max 300 (max also in YAML); `displayText`, `text`, `fillInText`
#             max 300; `displayText` and `text` can't both be used.
#   MESSAGE   https://developers.line.biz/en/reference/messaging-api/#message-action
#             `text` required, max 300.
#   URI       https://developers.line.biz/en/reference/messaging-api/#uri-action
#             `uri` required, max 1000, schemes http, https, line, tel; `altUri.desktop` the same.
#   FLEX      https://developers.line.biz/en/reference/messaging-api/#flex-message
#             `altText` max 1500 (the YAML has no maxLength); carousel "Max: 12 bubbles" and
#             "maximum size of JSON data that defines a carousel is 50 KB"; bubble 30 KB.
#   TEMPLATE  https://developers.line.biz/en/reference/messaging-api/#template-messages
#             `altText` max 1500.
#   IMAGEMAP  https://developers.line.biz/en/reference/messaging-api/#imagemap-message
#             `altText` max 1500.
#   LOADING   https://developers.line.biz/en/reference/messaging-api/#display-a-loading-indicator
#             `loadingSeconds` must be a multiple of 5 (only in the YAML's description).

TEXT_MAX_UTF16 = 5000
TEXT_MAX_LINE_EMOJI = 20
ALT_TEXT_MAX_UTF16 = 1500
ACTION_TEXT_MAX = 300
URI_MAX = 1000
URI_SCHEMES = frozenset({"http", "https", "line", "tel"})
CAROUSEL_MAX_BUBBLES = 12
# "KB" is not defined on the page; 1 KB = 1000 bytes of compact UTF-8 JSON is the stricter reading.
BUBBLE_MAX_BYTES = 30_000
CAROUSEL_MAX_BYTES = 50_000
LOADING_SECONDS_STEP = 5


@dataclass(frozen=True)
class LabelRule:
    """How an action's `label` is limited where the action sits (LABEL above)."""

    required: bool
    max_graphemes: int
    place: str


QUICK_REPLY_LABEL = LabelRule(required=True, max_graphemes=20, place="quick reply button")
TEMPLATE_LABEL = LabelRule(required=True, max_graphemes=20, place="template message")
IMAGE_CAROUSEL_LABEL = LabelRule(required=False, max_graphemes=12, place="image carousel")
FLEX_BUTTON_LABEL = LabelRule(required=True, max_graphemes=40, place="Flex button")
FLEX_OTHER_LABEL = LabelRule(required=False, max_graphemes=40, place="Flex component")
# The label table covers these action types; others (camera, location, ...) have their own rules.
LABEL_TABLE_ACTIONS = frozenset({"postback", "message", "uri", "datetimepicker", "clipboard"})


def _compact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _action_limits(action: Any, at: str, rule: LabelRule) -> Iterator[Problem]:
    if not isinstance(action, dict):
        return
    kind = action.get("type")
    label = action.get("label")
    if kind in LABEL_TABLE_ACTIONS or rule is QUICK_REPLY_LABEL:
        if label is None and rule.required:
            yield Problem(f"{at}.label", f"required on a {rule.place} action")
        if isinstance(label, str) and grapheme_length(label) > rule.max_graphemes:
            yield Problem(
                f"{at}.label",
                f"{grapheme_length(label)} characters (grapheme clusters), "
                f"more than {rule.max_graphemes} allowed on a {rule.place}",
            )
    if kind == "postback":
        if "data" not in action:
            yield Problem(at, "postback action needs `data`")
        if "displayText" in action and "text" in action:
            yield Problem(at, "`displayText` and `text` can't both be used")
        for field in ("displayText", "text", "fillInText"):
            yield from _max_graphemes(action, field, at, ACTION_TEXT_MAX)
    elif kind == "message":
        if "text" not in action:
            yield Problem(at, "message action needs `text`")
        yield from _max_graphemes(action, "text", at, ACTION_TEXT_MAX)
    elif kind == "uri":
        if "uri" not in action:
            yield Problem(at, "uri action needs `uri`")
        yield from _uri_limits(action.get("uri"), f"{at}.uri")
        alt = action.get("altUri")
        if isinstance(alt, dict):
            yield from _uri_limits(alt.get("desktop"), f"{at}.altUri.desktop")


def _max_graphemes(obj: dict[str, Any], field: str, at: str, limit: int) -> Iterator[Problem]:
    value = obj.get(field)
    if isinstance(value, str) and grapheme_length(value) > limit:
        yield Problem(f"{at}.{field}", f"{grapheme_length(value)} characters, more than {limit}")


def _uri_limits(uri: Any, at: str) -> Iterator[Problem]:
    if not isinstance(uri, str):
        return
    if grapheme_length(uri) > URI_MAX:
        yield Problem(at, f"{grapheme_length(uri)} characters, more than {URI_MAX}")
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in URI_SCHEMES:
        yield Problem(at, f"scheme {scheme!r} is not one of {sorted(URI_SCHEMES)}")


def _flex_actions(node: Any, at: str) -> Iterator[Problem]:
    """Every action inside a Flex container, with the label rule of the component holding it."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _flex_actions(item, f"{at}[{index}]")
    elif isinstance(node, dict):
        if "action" in node:
            rule = FLEX_BUTTON_LABEL if node.get("type") == "button" else FLEX_OTHER_LABEL
            yield from _action_limits(node["action"], f"{at}.action", rule)
        for key, child in node.items():
            if key != "action":
                yield from _flex_actions(child, f"{at}.{key}")


def _flex_limits(contents: Any, at: str) -> Iterator[Problem]:
    if not isinstance(contents, dict):
        return
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        if isinstance(bubbles, list) and len(bubbles) > CAROUSEL_MAX_BUBBLES:
            yield Problem(
                f"{at}.contents",
                f"{len(bubbles)} bubbles, more than {CAROUSEL_MAX_BUBBLES} in a carousel",
            )
        if _compact_size(contents) > CAROUSEL_MAX_BYTES:
            yield Problem(at, f"carousel JSON is {_compact_size(contents)} bytes, over 50 KB")
        for index, bubble in enumerate(bubbles if isinstance(bubbles, list) else []):
            if _compact_size(bubble) > BUBBLE_MAX_BYTES:
                yield Problem(f"{at}.contents[{index}]", "bubble JSON is over 30 KB")
    elif contents.get("type") == "bubble" and _compact_size(contents) > BUBBLE_MAX_BYTES:
        yield Problem(at, f"bubble JSON is {_compact_size(contents)} bytes, over 30 KB")
    yield from _flex_actions(contents, at)


def _template_limits(template: Any, at: str) -> Iterator[Problem]:
    if not isinstance(template, dict):
        return
    kind = template.get("type")
    if kind in ("buttons", "confirm"):
        for index, action in enumerate(template.get("actions") or []):
            yield from _action_limits(action, f"{at}.actions[{index}]", TEMPLATE_LABEL)
    elif kind in ("carousel", "image_carousel"):
        rule = IMAGE_CAROUSEL_LABEL if kind == "image_carousel" else TEMPLATE_LABEL
        for column_index, column in enumerate(template.get("columns") or []):
            if not isinstance(column, dict):
                continue
            column_at = f"{at}.columns[{column_index}]"
            if "action" in column:
                yield from _action_limits(column["action"], f"{column_at}.action", rule)
            for index, action in enumerate(column.get("actions") or []):
                yield from _action_limits(action, f"{column_at}.actions[{index}]", rule)


def _message_limits(message: Any, at: str) -> Iterator[Problem]:
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    text = message.get("text")
    if kind in ("text", "textV2") and isinstance(text, str):
        if utf16_length(text) > TEXT_MAX_UTF16:
            yield Problem(
                f"{at}.text",
                f"{utf16_length(text)} UTF-16 code units, more than {TEXT_MAX_UTF16}",
            )
        emojis = message.get("emojis")
        if isinstance(emojis, list) and len(emojis) > TEXT_MAX_LINE_EMOJI:
            yield Problem(f"{at}.emojis", f"{len(emojis)} LINE emoji, more than 20")
    alt_text = message.get("altText")
    if (
        kind in ("flex", "template", "imagemap")
        and isinstance(alt_text, str)
        and utf16_length(alt_text) > ALT_TEXT_MAX_UTF16
    ):
        yield Problem(
            f"{at}.altText",
            f"{utf16_length(alt_text)} UTF-16 code units, more than {ALT_TEXT_MAX_UTF16}",
        )
    if kind == "flex":
        yield from _flex_limits(message.get("contents"), f"{at}.contents")
    elif kind == "template":
        yield from _template_limits(message.get("template"), f"{at}.template")
    quick_reply = message.get("quickReply")
    if isinstance(quick_reply, dict):
        for index, item in enumerate(quick_reply.get("items") or []):
            item_at = f"{at}.quickReply.items[{index}]"
            if not isinstance(item, dict):
                continue
            if item.get("type") != "action":
                yield Problem(f"{item_at}.type", "a quick reply button's type must be 'action'")
            if "action" not in item:
                yield Problem(item_at, "a quick reply button needs an `action`")
            yield from _action_limits(item.get("action"), f"{item_at}.action", QUICK_REPLY_LABEL)


def _envelope_limits(body: Any) -> Iterator[Problem]:
    """Documented limits on a request body outside its `messages`."""
    seconds = body.get("loadingSeconds") if isinstance(body, dict) else None
    if isinstance(seconds, int) and seconds % LOADING_SECONDS_STEP:
        yield Problem("$.loadingSeconds", f"{seconds} is not a multiple of 5")


def documented_limits(body: Any) -> list[Problem]:
    """Limits LINE documents in prose for a request body (see the source list above)."""
    problems = list(_envelope_limits(body))
    messages = body.get("messages") if isinstance(body, dict) else None
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            problems.extend(_message_limits(message, f"$.messages[{index}]"))
    return problems


# ---------------------------------------------------------------------------------------------
# Operations and headers


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # "/v2/bot/profile/{userId}"
    operation_id: str
    body_schema: str | None  # component name of the JSON request body
    header_params: frozenset[str]  # lower-case names of declared header parameters


def _path_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.compile(f"^{pattern}$")


def _operations(spec: Mapping[str, Any]) -> Iterator[Operation]:
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "delete", "patch"}:
                continue
            content = op.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            headers = frozenset(
                p["name"].lower() for p in op.get("parameters", []) if p.get("in") == "header"
            )
            yield Operation(
                method.upper(), template, op["operationId"], _name(ref) if ref else None, headers
            )


MESSAGE_SCHEMA = "Message"
ENVELOPE_SUFFIX = "__envelope"
MESSAGE_VERDICTS_KEPT = 4096


class LineSpec:
    """LINE's Messaging API spec, compiled once; checks one request at a time.

    A body is checked at two speeds. fastjsonschema compiles a schema to Python code and answers
    "valid" quickly; the messages of a send request are judged one by one (schema and documented
    limits) and the verdict kept per message JSON, since a bot sends the same menus and cards
    again and again. Only a body the fast path refuses goes through jsonschema, which lists every
    error with its path. Both validators read the same rewritten schemas.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.components = compile_components(spec)
        self._root = {"components": {"schemas": self.components}}
        operations = list(_operations(spec))
        self._fixed_paths = {(op.method, op.template): op for op in operations}
        self._templated_paths = [(_path_regex(op.template), op) for op in operations]
        self._fast: dict[str, Callable[[Any], Any]] = {}  # compiled on first use
        self._thorough: dict[str, jsonschema.Draft7Validator] = {}
        self._message_accepted = functools.lru_cache(maxsize=MESSAGE_VERDICTS_KEPT)(
            self._judge_message
        )

    @classmethod
    def load(cls, spec_dir: Path | None = None) -> LineSpec:
        return _load_spec(spec_dir or SPEC_DIR)

    def operation(self, method: str, path: str) -> Operation | None:
        method = method.upper()
        fixed = self._fixed_paths.get((method, path))
        if fixed is not None:
            return fixed
        for pattern, operation in self._templated_paths:
            if operation.method == method and pattern.match(path):
                return operation
        return None

    def check_body(self, schema_name: str, body: Any) -> list[Problem]:
        """Schema errors first (in document order), then documented limits."""
        if self._accepts(schema_name, body):
            return []
        # The fast path refused the body: never let a disagreement pass silently.
        return self.check_body_thoroughly(schema_name, body) or [
            Problem("$", "refused by fastjsonschema, but jsonschema finds no error")
        ]

    def check_body_thoroughly(self, schema_name: str, body: Any) -> list[Problem]:
        """`check_body` without the fast path: jsonschema and every documented limit."""
        thorough = self._thorough.get(schema_name)
        if thorough is None:
            thorough = jsonschema.Draft7Validator(
                {**self._root, "$ref": SCHEMA_PREFIX + schema_name},
                format_checker=_format_checker(),
            )
            self._thorough[schema_name] = thorough
        errors = sorted(thorough.iter_errors(body), key=_path_order)
        return [_problem(error) for error in errors] + documented_limits(body)

    def _accepts(self, schema_name: str, body: Any) -> bool:
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not self._has_message_items(schema_name):
            messages = None  # the body is checked whole
        name = schema_name if messages is None else schema_name + ENVELOPE_SUFFIX
        try:
            self._fast_validator(name)(body)
        except fastjsonschema.JsonSchemaValueException:
            return False
        if next(_envelope_limits(body), None) is not None:
            return False
        return messages is None or all(
            self._message_accepted(json.dumps(message, ensure_ascii=False)) for message in messages
        )

    def _judge_message(self, message_json: str) -> bool:
        message = json.loads(message_json)
        try:
            self._fast_validator(MESSAGE_SCHEMA)(message)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return next(_message_limits(message, "$"), None) is None

    def _has_message_items(self, schema_name: str) -> bool:
        messages = self.components[schema_name].get("properties", {}).get("messages", {})
        return bool(messages.get("items") == {"$ref": SCHEMA_PREFIX + MESSAGE_SCHEMA})

    def _fast_validator(self, name: str) -> Callable[[Any], Any]:
        if name not in self._fast:
            if name.endswith(ENVELOPE_SUFFIX):
                # The request without its messages' insides: those are judged one by one.
                envelope = copy.deepcopy(self.components[name.removesuffix(ENVELOPE_SUFFIX)])
                envelope["properties"]["messages"]["items"] = {}
                self.components[name] = envelope
            self._fast[name] = fastjsonschema.compile(
                {
                    **self._root,
                    "$ref": SCHEMA_PREFIX + name,
                    "$schema": "http://json-schema.org/draft-07/schema#",
                },
                formats=FORMATS,
                use_default=False,  # never write `default` values into the body being checked
                detailed_exceptions=False,
            )
        return self._fast[name]

    def check_request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: Any,
        *,
        access_token: str,
    ) -> list[Problem]:
        """Every problem with one request: endpoint, headers, body schema, documented limits."""
        operation = self.operation(method, path)
        if operation is None:
            return [Problem(f"{method} {path}", "no such operation in the Messaging API spec")]
        problems = self._check_headers(operation, CIMultiDict(headers), access_token)
        if operation.body_schema:
            problems.extend(self.check_body(operation.body_schema, body))
        return problems

    def _check_headers(
        self, operation: Operation, headers: CIMultiDict[str], access_token: str
    ) -> list[Problem]:
        problems = []
        # The spec's global `security: Bearer`: "Authorization: Bearer {channel access token}".
        if headers.get("Authorization") != f"Bearer {access_token}":
            problems.append(
                Problem("header Authorization", "must be 'Bearer <the channel access token>'")
            )
        if operation.body_schema:
            media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                problems.append(
                    Problem("header Content-Type", f"{media_type or 'missing'}, not JSON")
                )
        retry_key = headers.get("X-Line-Retry-Key")
        if retry_key is not None:
            # Only push/multicast/narrowcast/broadcast declare the header; elsewhere LINE answers
            # 400 (https://developers.line.biz/en/docs/messaging-api/retrying-api-request/,
            # "Retry only with supported APIs").
            if "x-line-retry-key" not in operation.header_params:
                problems.append(
                    Problem("header X-Line-Retry-Key", f"not accepted by {operation.operation_id}")
                )
            elif not _is_uuid(retry_key):
                problems.append(Problem("header X-Line-Retry-Key", "must be a hexadecimal UUID"))
        return problems


@functools.cache
def _load_spec(spec_dir: Path) -> LineSpec:
    path = spec_dir / SPEC_FILE
    if not path.is_file():
        raise SpecMissingError(
            f"LINE's OpenAPI spec is missing: expected {path} (tests/data/line-openapi/)"
        )
    with path.open(encoding="utf-8") as handle:
        return LineSpec(yaml.safe_load(handle))
