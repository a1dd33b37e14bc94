"""The allow-list of code that flows may name.

``transitions`` resolves a callback given as a string by importing it as a dotted
path, so a name taken from YAML straight into a Machine could run any importable
function. Flows therefore name entries of this registry; the machine builder looks
them up and hands ``transitions`` the function objects themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.engine.conversation import Conversation
from bot.messages import Choice

if TYPE_CHECKING:
    from bot.i18n import Locales


@dataclass
class Services:
    """What actions may use. Everything here is shared and stateless per conversation."""

    locales: Locales
    clock: Callable[[], datetime]
    catalog: Any = None
    triage: Any = None
    risk: Any = None
    handoff: Any = None
    places: Any = None
    sheets: Any = None
    settings: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionContext:
    conv: Conversation
    services: Services
    text: str | None = None  # the typed text for text handlers; never logged


Action = Callable[[ActionContext], Awaitable[str | None]]
Condition = Callable[[ActionContext], bool]
Provider = Callable[[ActionContext], list[Choice]]
TextHandler = Callable[[ActionContext], Awaitable[str | None]]


class Registry:
    def __init__(self) -> None:
        self.actions: dict[str, Action] = {}
        self.conditions: dict[str, Condition] = {}
        self.providers: dict[str, Provider] = {}
        self.text_handlers: dict[str, TextHandler] = {}

    def action(self, name: str) -> Callable[[Action], Action]:
        return self._add(self.actions, name)

    def condition(self, name: str) -> Callable[[Condition], Condition]:
        return self._add(self.conditions, name)

    def provider(self, name: str) -> Callable[[Provider], Provider]:
        return self._add(self.providers, name)

    def text_handler(self, name: str) -> Callable[[TextHandler], TextHandler]:
        return self._add(self.text_handlers, name)

    @staticmethod
    def _add(table: dict[str, Any], name: str) -> Callable[[Any], Any]:
        def register(func: Any) -> Any:
            if name in table:
                raise ValueError(f"{name!r} registered twice")
            table[name] = func
            return func

        return register
