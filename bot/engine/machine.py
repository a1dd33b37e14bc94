"""One ``transitions`` machine per flow, shared by every conversation.

The machine is built once at start-up from a ``FlowSpec``; conversations are never
registered with it (``machine.events[name].trigger(conv)`` works on any object with
a ``state`` attribute), so a conversation costs nothing between events.

Triggers:
- ``choose_<id>``: the person tapped (or typed the label of) choice ``<id>``;
- ``pick``: the person picked an item a provider offered (e.g. a prefecture);
- ``to_<state>``: an action's outcome, or the runner, moves the conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from transitions import MachineError
from transitions.extensions.asyncio import AsyncMachine, AsyncState

from bot.engine.conversation import Conversation
from bot.engine.registry import ActionContext, Registry, Services
from bot.engine.spec import ChoiceSpec, FlowSpec, StateSpec
from bot.messages import Choice

log = logging.getLogger(__name__)
# transitions logs every transition at INFO with the model's repr; keep it quiet.
logging.getLogger("transitions").setLevel(logging.WARNING)

MAX_CHAINED_MOVES = 8  # outcomes leading to outcomes: a guard against a loop in data


class Engine:
    def __init__(self, flow: FlowSpec, registry: Registry, services: Services) -> None:
        self.flow = flow
        self.registry = registry
        self.services = services
        self.machine = self._build()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> AsyncMachine:
        states = [
            AsyncState(name, on_enter=[self._enter_callback(spec)])
            for name, spec in self.flow.states.items()
        ]
        transitions: list[dict[str, Any]] = []
        for name, spec in self.flow.states.items():
            for choice in spec.choices:
                transitions.append(self._choice_transition(choice, source=name))
            if spec.pick:
                transitions.append(
                    {
                        "trigger": "pick",
                        "source": name,
                        "dest": spec.pick.to,
                        "before": [self._store_pick(spec.pick.set)],
                    }
                )
            transitions.append({"trigger": f"to_{name}", "source": "*", "dest": name})
        for choice in self.flow.anywhere:
            transitions.append(self._choice_transition(choice, source="*"))
        return AsyncMachine(
            model=None,
            states=states,
            transitions=transitions,
            initial=self.flow.initial,
            auto_transitions=False,
            send_event=True,
        )

    @staticmethod
    def _choice_transition(choice: ChoiceSpec, source: str) -> dict[str, Any]:
        answers = dict(choice.set)

        def record(event: Any) -> None:
            conv: Conversation = event.model
            for key, value in answers.items():
                conv.set_answer(key, value)

        return {
            "trigger": f"choose_{choice.id}",
            "source": source,
            "dest": choice.to,
            "before": [record],
        }

    @staticmethod
    def _store_pick(answer: str) -> Callable[[Any], None]:
        def record(event: Any) -> None:
            event.model.set_answer(answer, event.kwargs["picked"])

        return record

    def _enter_callback(self, spec: StateSpec) -> Callable[[Any], Any]:
        async def on_enter(event: Any) -> None:
            await self._enter(event.model, spec)

        return on_enter

    # --- entering a state: say, act, offer choices -----------------------------------------

    async def _enter(self, conv: Conversation, spec: StateSpec) -> None:
        for key in spec.say:
            conv.reply.say(key)
        ctx = ActionContext(conv, self.services)
        if spec.action:
            outcome = await self.registry.actions[spec.action](ctx)
            target = spec.outcomes.get(outcome) if outcome else None
            if target:
                conv.next_state = target
                return
        conv.reply.choices = self.choices_for(conv, spec)

    def choices_for(self, conv: Conversation, spec: StateSpec | None = None) -> list[Choice]:
        spec = spec or self.flow.states[conv.state]
        ctx = ActionContext(conv, self.services)
        shown: list[Choice] = []
        if spec.pick:
            shown.extend(self.registry.providers[spec.pick.source](ctx))
        for c in spec.choices:
            if c.when is None or self.registry.conditions[c.when](ctx):
                shown.append(Choice(c.id, c.label))
        return shown

    # --- events ---------------------------------------------------------------------------

    def state_spec(self, conv: Conversation) -> StateSpec:
        return self.flow.states[conv.state]

    async def start(self, conv: Conversation) -> None:
        await self.move(conv, self.flow.initial)

    async def move(self, conv: Conversation, state: str) -> None:
        await self._fire(conv, f"to_{state}")

    def trigger_for(self, conv: Conversation, choice_id: str) -> str | None:
        """The trigger a tapped ``choice_id`` fires where the person is, or None when it
        belongs elsewhere (an old button): a state's own or an ``anywhere`` choice, else an
        item its provider offers now."""
        spec = self.state_spec(conv)
        if any(c.id == choice_id for c in (*spec.choices, *self.flow.anywhere)):
            return f"choose_{choice_id}"
        if spec.pick:
            offered = self.registry.providers[spec.pick.source](ActionContext(conv, self.services))
            if any(c.id == choice_id for c in offered):
                return "pick"
        return None

    async def choose(self, conv: Conversation, choice_id: str) -> bool:
        """Apply a tapped choice; False when it does not belong to where the person is."""
        trigger = self.trigger_for(conv, choice_id)
        if trigger is None:
            return False
        await self._fire(conv, trigger, picked=choice_id)
        return True

    async def typed(self, conv: Conversation, text: str) -> None:
        state_before = conv.state
        spec = self.state_spec(conv)
        handler = self.registry.text_handlers[spec.text]
        outcome = await handler(ActionContext(conv, self.services, text=text))
        target = (
            spec.outcomes.get(outcome) or self.flow.text_outcomes.get(outcome) if outcome else None
        )
        if outcome and not target:
            log.error(
                "text outcome leads nowhere", extra={"outcome": outcome, "state": conv.state}
            )
        if target:
            await self.move(conv, target)
        await self._follow(conv)
        if not conv.reply.choices and conv.state == state_before:
            conv.reply.choices = self.choices_for(conv)

    async def _fire(self, conv: Conversation, trigger: str, **kwargs: Any) -> None:
        try:
            await self.machine.events[trigger].trigger(conv, **kwargs)
        except (MachineError, KeyError):
            log.warning("trigger refused", extra={"trigger": trigger, "state": conv.state})
            return
        await self._follow(conv)

    async def _follow(self, conv: Conversation) -> None:
        for _ in range(MAX_CHAINED_MOVES):
            if conv.next_state is None:
                return
            target, conv.next_state = conv.next_state, None
            await self.machine.events[f"to_{target}"].trigger(conv)
        log.error("outcome chain too long", extra={"state": conv.state})
