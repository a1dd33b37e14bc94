"""Loading and checking every data-backed part once, at start-up.

A broken flow, catalogue, lexicon or locale stops the start with ``file:line``
messages: it never serves a person. The same function backs the tests and
`tsunagari chat`, so they run exactly what `serve` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.actions import REGISTRY
from bot.catalog import TOKYO, Catalog
from bot.channels.base import Channel
from bot.engine.machine import Engine
from bot.engine.registry import Registry, Services
from bot.engine.spec import FlowSpec, load_flows, reference_problems
from bot.engine.spec import Registry as Names
from bot.i18n import Locales
from bot.places import Places
from bot.responder import Responder
from bot.risk import default_detector
from bot.runner import Runner
from bot.safety import Safety
from bot.settings import Settings
from bot.sheets import SheetService
from bot.store.conversations import ConversationStore
from bot.triage import Triage
from bot.yamldata import DataError

GUIDANCE_FLOW = "guidance"


def tokyo_now() -> dt.datetime:
    return dt.datetime.now(TOKYO)


def registry_names(registry: Registry) -> Names:
    return Names(registry.actions, registry.conditions, registry.providers, registry.text_handlers)


def check_flows(locales: Locales, registry: Registry = REGISTRY) -> dict[str, FlowSpec]:
    """Load every flow and check its references; raise ``DataError`` on any problem."""
    flows = load_flows()
    problems: list[str] = []
    for flow in flows.values():
        problems.extend(reference_problems(flow, registry_names(registry), locales.missing))
    if problems:
        raise DataError(problems)
    return flows


@dataclass(frozen=True)
class Bot:
    """Everything loaded and checked, ready to run over the given channels."""

    services: Services
    engine: Engine
    responder: Responder
    settings: Settings
    redis: Redis
    secret: bytes

    def runner(self, channels: Mapping[str, Channel]) -> Runner:
        store = ConversationStore(self.redis, self.settings.conversation_ttl_seconds)
        runner = Runner(
            self.redis,
            store,
            self.engine,
            self.responder,
            channels,
            self.services.locales,
            self.secret,
        )
        self.services.handoff.attach(runner)  # counsellors' events reach conversations
        return runner


def load_bot(
    settings: Settings,
    redis: Redis,
    secret: bytes,
    clock: Callable[[], dt.datetime] | None = None,
) -> Bot:
    locales = Locales.load(settings.locales_dir, default=settings.default_locale)
    locales.globals["days"] = settings.conversation_ttl_days
    flows = check_flows(locales)
    services = Services(
        locales=locales,
        clock=clock or tokyo_now,
        catalog=Catalog.load(),
        triage=Triage.load(),
        risk=default_detector(),  # immutable, so one per process (it takes seconds to build)
        places=Places.load(),
        settings=settings,
    )
    services.extra["stories"] = story_keys(locales)
    from bot.handoff_desk import HandoffDesk  # late: it serves the services built above

    services.handoff = HandoffDesk.create(settings, redis, secret, services)
    services.sheets = SheetService(redis, secret, services, settings)
    engine = Engine(flows[GUIDANCE_FLOW], REGISTRY, services)
    responder = Responder(
        engine, Safety(services, redis), settings.default_locale, handoff=services.handoff
    )
    return Bot(services, engine, responder, settings, redis, secret)


def story_keys(locales: Locales) -> list[str]:
    """The sample stories in ``locales/<lang>/content.yaml`` (keys ``stories.items.*``)."""
    reference = locales.get(locales.default)
    return sorted(k for k in reference.strings if k.startswith("stories.items."))
