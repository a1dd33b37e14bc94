"""The words the handoff layer shares: risk levels, categories, roles, tickets, counsellors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.categories import CATEGORY_IDS as ALL_CATEGORY_IDS
from bot.store.values import text, text_map  # noqa: F401 - re-exported for handoff

RISK_LEVELS: tuple[str, ...] = ("none", "low", "medium", "high")

CATEGORY_IDS: frozenset[str] = frozenset(ALL_CATEGORY_IDS)

Role = Literal["counsellor", "coordinator", "supervisor", "admin"]
ROLES: tuple[str, ...] = ("counsellor", "coordinator", "supervisor", "admin")

# A queue item routed to the coordinators rather than to an organisation.
COORDINATOR_ROUTE = "@coordinator"

TicketStatus = Literal["waiting", "active", "closed", "cancelled", "ended", "offline"]
# live: the person is there now; message: they left a message outside hours, answered later.
TicketMode = Literal["live", "message"]


def risk_rank(level: str) -> int:
    """0 for none … 3 for high; unknown levels count as none."""
    return RISK_LEVELS.index(level) if level in RISK_LEVELS else 0


@dataclass(frozen=True)
class Counsellor:
    """Someone signed in to the console: a counsellor, coordinator, supervisor or admin."""

    login: str
    org: str
    role: str = "counsellor"
    name: str | None = None

    @property
    def sees_every_queue(self) -> bool:
        return self.role in ("coordinator", "admin")

    @property
    def sees_statistics(self) -> bool:
        return self.role in ("supervisor", "coordinator", "admin")

    @property
    def display_name(self) -> str | None:
        return self.name or None


@dataclass(frozen=True)
class HandoffContext:
    """What the bot learnt before the handoff, so the counsellor does not ask again."""

    age_group: str | None = None
    category: str | None = None
    lang: str | None = None
    risk: str = "none"
    risk_reasons: tuple[str, ...] = ()
    results_shown: tuple[str, ...] = ()
    summary: Any = field(default_factory=dict)  # the bot's answers, as JSON

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | HandoffContext) -> HandoffContext:
        if isinstance(data, HandoffContext):
            return data
        risk = str(data.get("risk") or "none")
        return cls(
            age_group=_opt(data.get("age_group")),
            category=_opt(data.get("category")),
            lang=_opt(data.get("lang")),
            risk=risk if risk in RISK_LEVELS else "none",
            risk_reasons=tuple(str(r) for r in data.get("risk_reasons") or ()),
            results_shown=tuple(str(r) for r in data.get("results_shown") or ()),
            summary=data.get("summary") or {},
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "age_group": self.age_group,
            "category": self.category,
            "lang": self.lang,
            "risk": self.risk,
            "risk_reasons": list(self.risk_reasons),
            "results_shown": list(self.results_shown),
            "summary": self.summary,
        }


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class Ticket:
    """One request for a person to talk with a counsellor, as the service reports it.

    ``status`` is ``no_one_on_duty`` (not queued: ``next_open`` says when someone is back,
    the person may leave a message), ``waiting``, ``active``, ``closed``, ``cancelled``
    or ``ended`` (the person unfollowed while talking).
    """

    id: str
    conv_id: str
    status: str
    channel: str
    risk: str = "none"
    category: str | None = None
    lang: str | None = None
    age_group: str | None = None
    mode: str = "live"
    orgs: tuple[str, ...] = ()
    org: str | None = None
    counsellor: str | None = None
    waiting_since: float | None = None
    claimed_at: float | None = None
    position: int | None = None
    estimate_minutes: int | None = None
    next_open: str | None = None
