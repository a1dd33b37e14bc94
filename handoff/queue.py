"""The handoff queue in Redis: every change of a ticket is one Lua script, so two
counsellors can never both claim a conversation, and a change and its statistics event
are written together.

All keys live under the ``{handoff}`` hash tag (one Redis Cluster slot) and every key a
script touches is passed in KEYS. Priority: the queue is a sorted set whose score is
``band * 1e13 + waiting-since (ms)``, where the band is the risk (high first), then live
conversations before messages left out of hours at the same risk. A ticket keeps its
waiting-since time when it is released or transferred, so it does not lose its place.

Claims carry a lease (``leases``: ticket -> deadline ms) renewed by the counsellor's
console; the sweeper puts a ticket whose lease ran out back in the queue.

The statistics stream gets ids from the caller's clock (``<ms>-<seq>``, never going
backwards), so statistics can read a time window by id range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.store import keys
from handoff.model import text

EVENTS_MAXLEN = 1_000_000  # about a year of a busy line; entries carry no personal data
SEALED_FIELDS = frozenset({"context", "record"})

_COMMON = """
local RANK = {none = 3, low = 2, medium = 1, high = 0}
local EVENTS_MAXLEN = 'EVENTS_MAXLEN_VALUE'

local function add_event(stream, now_ms, fields)
  local id = string.format('%.0f-0', now_ms)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #last > 0 then
    local lms, lseq = string.match(last[1][1], '^(%d+)-(%d+)$')
    if now_ms <= tonumber(lms) then
      id = lms .. '-' .. string.format('%.0f', tonumber(lseq) + 1)
    end
  end
  local args = {'XADD', stream, 'MAXLEN', '~', EVENTS_MAXLEN, id}
  for i = 1, #fields do args[#args + 1] = fields[i] end
  return redis.call(unpack(args))
end

local DIMS = {'channel', 'category', 'lang', 'age_group', 'risk', 'mode', 'orgs', 'requested_ms'}
local function with_dims(tkey, fields)
  local values = redis.call('HMGET', tkey, unpack(DIMS))
  for i = 1, #DIMS do
    fields[#fields + 1] = DIMS[i]
    fields[#fields + 1] = values[i] or ''
  end
  return fields
end

local function score(tkey)
  local v = redis.call('HMGET', tkey, 'risk', 'mode', 'enqueued_ms')
  local band = (RANK[v[1]] or 3) * 2 + ((v[2] == 'message') and 1 or 0)
  return string.format('%.0f', band * 1e13 + tonumber(v[3]))
end
""".replace("EVENTS_MAXLEN_VALUE", str(EVENTS_MAXLEN))

# KEYS: queue, ticket, by_conv, events, history, current ticket (or the new one)
# ARGV: id, conv_id, now_ms, expected current id, status, ttl, outcome, field/value...
_ENQUEUE = """
local id, conv, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local current = redis.call('HGET', KEYS[3], conv)
if (current or '') ~= ARGV[4] then return {'retry'} end
if current and current ~= id then
  local st = redis.call('HGET', KEYS[6], 'status')
  if st == 'waiting' or st == 'active' then return {'exists', current} end
  if st == 'offline' then redis.call('DEL', KEYS[6]) end
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], 'status', ARGV[5], unpack(fields))
if ARGV[5] == 'waiting' then
  redis.call('ZADD', KEYS[1], score(KEYS[2]), id)
else
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
redis.call('HSET', KEYS[3], conv, id)
redis.call('SADD', KEYS[5], id)
add_event(KEYS[4], now, with_dims(KEYS[2], {'type', 'requested', 'ticket', id, 'at', ARGV[3],
                                            'outcome', ARGV[7]}))
return {'ok', id}
"""

# KEYS: queue, ticket, events   ARGV: id, now_ms, orgs
_LEAVE_MESSAGE = """
if redis.call('HGET', KEYS[2], 'status') ~= 'offline' then return {'not_offline'} end
redis.call('HSET', KEYS[2], 'status', 'waiting', 'mode', 'message', 'orgs', ARGV[3],
           'enqueued_ms', ARGV[2])
redis.call('PERSIST', KEYS[2])
redis.call('ZADD', KEYS[1], score(KEYS[2]), ARGV[1])
add_event(KEYS[3], tonumber(ARGV[2]), with_dims(KEYS[2], {'type', 'message_left',
          'ticket', ARGV[1], 'at', ARGV[2]}))
return {'ok'}
"""

# KEYS: queue, ticket, leases, load, events
# ARGV: id, login, org, may take any ticket (1/0), limit (0: none), now_ms, lease deadline ms
_CLAIM = """
local id, now = ARGV[1], tonumber(ARGV[6])
local t = redis.call('HMGET', KEYS[2], 'status', 'orgs', 'counsellor', 'enqueued_ms',
                     'first_claimed_ms')
if not t[1] then return {'missing'} end
if t[1] == 'active' then return {'taken', t[3]} end
if t[1] ~= 'waiting' then return {'not_waiting', t[1]} end
if ARGV[4] ~= '1' and not string.find(t[2], ',' .. ARGV[3] .. ',', 1, true) then
  return {'not_routed'}
end
local limit = tonumber(ARGV[5])
if limit > 0 and redis.call('SCARD', KEYS[4]) >= limit then return {'limit'} end
redis.call('ZREM', KEYS[1], id)
redis.call('HSET', KEYS[2], 'status', 'active', 'counsellor', ARGV[2], 'org', ARGV[3],
           'claimed_ms', ARGV[6])
local first = '0'
if not t[5] then
  redis.call('HSET', KEYS[2], 'first_claimed_ms', ARGV[6])
  first = '1'
end
redis.call('ZADD', KEYS[3], ARGV[7], id)
redis.call('SADD', KEYS[4], id)
add_event(KEYS[5], now, with_dims(KEYS[2], {'type', 'claimed', 'ticket', id, 'at', ARGV[6],
          'org', ARGV[3], 'counsellor', ARGV[2], 'first', first,
          'wait_ms', string.format('%.0f', now - tonumber(t[4]))}))
return {'ok'}
"""

# KEYS: ticket, leases   ARGV: id, login, lease deadline ms
_TOUCH = """
local t = redis.call('HMGET', KEYS[1], 'status', 'counsellor')
if t[1] ~= 'active' or t[2] ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"""

# KEYS: queue, ticket, leases, load, events
# ARGV: id, login, now_ms, reason, only when the lease ran out (1/0)
_RELEASE = """
local id = ARGV[1]
local t = redis.call('HMGET', KEYS[2], 'status', 'counsellor')
if t[1] ~= 'active' then return {'not_active', t[1] or ''} end
if t[2] ~= ARGV[2] then return {'not_yours'} end
if ARGV[5] == '1' then
  local lease = redis.call('ZSCORE', KEYS[3], id)
  if lease and tonumber(lease) > tonumber(ARGV[3]) then return {'alive'} end
end
redis.call('ZREM', KEYS[3], id)
redis.call('SREM', KEYS[4], id)
redis.call('HSET', KEYS[2], 'status', 'waiting')
redis.call('HDEL', KEYS[2], 'counsellor', 'org', 'claimed_ms')
redis.call('ZADD', KEYS[1], score(KEYS[2]), id)
add_event(KEYS[5], tonumber(ARGV[3]), with_dims(KEYS[2], {'type', 'released', 'ticket', id,
          'at', ARGV[3], 'counsellor', ARGV[2], 'reason', ARGV[4]}))
return {'ok'}
"""

# KEYS: queue, ticket, leases, load, events
# ARGV: id, login, now_ms, orgs, to_kind, to, category, lang, age_group,
#       may move a waiting ticket (1/0)
_TRANSFER = """
local id = ARGV[1]
local t = redis.call('HMGET', KEYS[2], 'status', 'counsellor')
if t[1] == 'active' then
  if t[2] ~= ARGV[2] then return {'not_yours'} end
  redis.call('ZREM', KEYS[3], id)
  redis.call('SREM', KEYS[4], id)
  redis.call('HDEL', KEYS[2], 'counsellor', 'org', 'claimed_ms')
elseif not (t[1] == 'waiting' and ARGV[10] == '1') then
  return {'not_active', t[1] or ''}
end
-- Sent to an organisation or the coordinators on purpose: opening hours do not move it.
redis.call('HSET', KEYS[2], 'status', 'waiting', 'orgs', ARGV[4],
           'pinned', (ARGV[5] == 'queue') and '0' or '1')
local dims = {'category', 'lang', 'age_group'}
for i = 1, 3 do
  if ARGV[6 + i] ~= '' then redis.call('HSET', KEYS[2], dims[i], ARGV[6 + i]) end
end
redis.call('HINCRBY', KEYS[2], 'transfers', 1)
redis.call('ZADD', KEYS[1], score(KEYS[2]), id)
add_event(KEYS[5], tonumber(ARGV[3]), with_dims(KEYS[2], {'type', 'transferred', 'ticket', id,
          'at', ARGV[3], 'counsellor', ARGV[2], 'to_kind', ARGV[5], 'to', ARGV[6]}))
return {'ok', t[1]}
"""

# KEYS: queue, ticket, leases, load, events, by_conv
# ARGV: id, login, now_ms, conv_id, sealed record, ttl, event field/value...
_CLOSE = """
local id, now = ARGV[1], tonumber(ARGV[3])
local t = redis.call('HMGET', KEYS[2], 'status', 'counsellor', 'claimed_ms', 'org')
if t[1] ~= 'active' then return {'not_active', t[1] or ''} end
if t[2] ~= ARGV[2] then return {'not_yours'} end
redis.call('ZREM', KEYS[3], id)
redis.call('SREM', KEYS[4], id)
redis.call('HSET', KEYS[2], 'status', 'closed', 'closed_ms', ARGV[3], 'record', ARGV[5])
if redis.call('HGET', KEYS[6], ARGV[4]) == id then redis.call('HDEL', KEYS[6], ARGV[4]) end
redis.call('EXPIRE', KEYS[2], ARGV[6])
local fields = {'type', 'closed', 'ticket', id, 'at', ARGV[3], 'org', t[4],
                'counsellor', ARGV[2], 'handle_ms', string.format('%.0f', now - tonumber(t[3]))}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
add_event(KEYS[5], now, with_dims(KEYS[2], fields))
return {'ok'}
"""

# KEYS: queue, ticket, events, by_conv, leases, load
# ARGV: id, conv_id, now_ms, reason, ttl, end an active conversation too (1/0), its counsellor
_CANCEL = """
local id, now = ARGV[1], tonumber(ARGV[3])
local t = redis.call('HMGET', KEYS[2], 'status', 'counsellor', 'enqueued_ms', 'claimed_ms',
                     'first_claimed_ms')
local status = t[1]
if status == 'waiting' then
  redis.call('ZREM', KEYS[1], id)
  redis.call('HSET', KEYS[2], 'status', 'cancelled', 'closed_ms', ARGV[3])
  add_event(KEYS[3], now, with_dims(KEYS[2], {'type', 'abandoned', 'ticket', id, 'at', ARGV[3],
            'reason', ARGV[4], 'wait_ms', string.format('%.0f', now - tonumber(t[3])),
            'was_connected', t[5] and '1' or '0'}))
elseif status == 'offline' then
  redis.call('HSET', KEYS[2], 'status', 'cancelled', 'closed_ms', ARGV[3])
elseif status == 'active' and ARGV[6] == '1' then
  if t[2] ~= ARGV[7] then return {'retry'} end
  redis.call('ZREM', KEYS[5], id)
  redis.call('SREM', KEYS[6], id)
  redis.call('HSET', KEYS[2], 'status', 'ended', 'closed_ms', ARGV[3])
  add_event(KEYS[3], now, with_dims(KEYS[2], {'type', 'ended', 'ticket', id, 'at', ARGV[3],
            'reason', ARGV[4], 'counsellor', t[2],
            'handle_ms', string.format('%.0f', now - tonumber(t[4]))}))
else
  return {'not_waiting', status or ''}
end
if redis.call('HGET', KEYS[4], ARGV[2]) == id then redis.call('HDEL', KEYS[4], ARGV[2]) end
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {'ok', status}
"""

# KEYS: queue, ticket, events   ARGV: id, now_ms, risk level, reason codes (comma-separated)
_RAISE_RISK = """
local id = ARGV[1]
local t = redis.call('HMGET', KEYS[2], 'status', 'risk')
if not t[1] then return {'missing'} end
local raised = '0'
if (RANK[ARGV[3]] or 3) < (RANK[t[2]] or 3) then
  redis.call('HSET', KEYS[2], 'risk', ARGV[3])
  if t[1] == 'waiting' then redis.call('ZADD', KEYS[1], score(KEYS[2]), id) end
  raised = '1'
end
add_event(KEYS[3], tonumber(ARGV[2]), with_dims(KEYS[2], {'type', 'alert', 'ticket', id,
          'at', ARGV[2], 'level', ARGV[3], 'reasons', ARGV[4], 'raised', raised,
          'status', t[1]}))
return {'ok', raised, t[1]}
"""

# KEYS: ticket   ARGV: orgs
_REROUTE = """
local t = redis.call('HMGET', KEYS[1], 'status', 'mode', 'pinned')
if t[1] ~= 'waiting' or t[2] ~= 'live' or t[3] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'orgs', ARGV[1])
return 1
"""

# KEYS: events   ARGV: now_ms, field/value...
_LOG_EVENT = """
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
return add_event(KEYS[1], tonumber(ARGV[1]), fields)
"""


def encode_orgs(orgs: Iterable[str]) -> str:
    """``,a,b,``: a Lua script can test membership with a plain substring search."""
    return "," + ",".join(orgs) + ","


def decode_orgs(raw: str) -> tuple[str, ...]:
    return tuple(o for o in raw.split(",") if o)


ticket_key = keys.handoff_ticket
load_key = keys.handoff_load
history_key = keys.handoff_history


QUEUE = keys.HANDOFF_QUEUE
LEASES = keys.HANDOFF_LEASES
BY_CONV = keys.HANDOFF_BY_CONV
EVENTS = keys.HANDOFF_EVENTS
PRESENCE = keys.HANDOFF_PRESENCE
ALERTS = keys.HANDOFF_ALERTS
SWEEP_LOCK = keys.HANDOFF_SWEEP_LOCK
TICKET_SEQUENCE = keys.HANDOFF_TICKET_SEQUENCE


@dataclass(frozen=True)
class Outcome:
    """What a queue script did: ``ok``, or why not (``reason``) with a detail."""

    ok: bool
    reason: str | None = None
    detail: str | None = None

    @classmethod
    def of(cls, reply: list[Any]) -> Outcome:
        head = text(reply[0])
        rest = [text(r) for r in reply[1:]]
        if head == "ok":
            return cls(True, None, rest[0] if rest else None)
        return cls(False, head, rest[0] if rest else None)


def decode_ticket(raw: Mapping[bytes | str, Any]) -> dict[str, Any]:
    """A ticket hash with text fields as str and sealed fields left as bytes."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = text(key)
        out[name] = value if name in SEALED_FIELDS else text(value)
    return out


class TicketQueue:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        register = redis.register_script
        self._enqueue = register(_COMMON + _ENQUEUE)
        self._leave_message = register(_COMMON + _LEAVE_MESSAGE)
        self._claim = register(_COMMON + _CLAIM)
        self._touch = register(_TOUCH)
        self._release = register(_COMMON + _RELEASE)
        self._transfer = register(_COMMON + _TRANSFER)
        self._close = register(_COMMON + _CLOSE)
        self._cancel = register(_COMMON + _CANCEL)
        self._raise_risk = register(_COMMON + _RAISE_RISK)
        self._reroute = register(_REROUTE)
        self._log_event = register(_COMMON + _LOG_EVENT)

    async def enqueue(
        self,
        ticket_id: str,
        conv_id: str,
        fields: Mapping[str, str | bytes],
        *,
        now_ms: int,
        status: str,
        ttl: int,
        outcome: str,
        history_ttl: int,
    ) -> Outcome:
        """Create a ticket (``waiting`` in the queue, or ``offline``); if the conversation
        has a waiting or active ticket already, nothing changes: ``exists`` names it."""
        while True:
            current = text(await self.redis.hget(BY_CONV, conv_id))
            flat: list[str | bytes] = []
            for name, value in fields.items():
                flat += [name, value]
            reply = await self._enqueue(
                keys=[
                    QUEUE,
                    ticket_key(ticket_id),
                    BY_CONV,
                    EVENTS,
                    history_key(conv_id),
                    ticket_key(current or ticket_id),
                ],
                args=[ticket_id, conv_id, now_ms, current, status, ttl, outcome, *flat],
            )
            result = Outcome.of(reply)
            if result.reason != "retry":
                break
        if result.ok:
            await self.redis.expire(history_key(conv_id), history_ttl)
        return result

    async def leave_message(self, ticket_id: str, orgs: Iterable[str], now_ms: int) -> Outcome:
        reply = await self._leave_message(
            keys=[QUEUE, ticket_key(ticket_id), EVENTS],
            args=[ticket_id, now_ms, encode_orgs(orgs)],
        )
        return Outcome.of(reply)

    async def claim(
        self,
        ticket_id: str,
        login: str,
        org: str,
        *,
        any_queue: bool,
        limit: int | None,
        now_ms: int,
        lease_until_ms: int,
    ) -> Outcome:
        reply = await self._claim(
            keys=[QUEUE, ticket_key(ticket_id), LEASES, load_key(login), EVENTS],
            args=[ticket_id, login, org, int(any_queue), limit or 0, now_ms, lease_until_ms],
        )
        return Outcome.of(reply)

    async def touch(self, ticket_id: str, login: str, lease_until_ms: int) -> bool:
        return bool(
            await self._touch(
                keys=[ticket_key(ticket_id), LEASES], args=[ticket_id, login, lease_until_ms]
            )
        )

    async def release(
        self,
        ticket_id: str,
        login: str,
        now_ms: int,
        reason: str,
        *,
        only_if_expired: bool = False,
    ) -> Outcome:
        reply = await self._release(
            keys=[QUEUE, ticket_key(ticket_id), LEASES, load_key(login), EVENTS],
            args=[ticket_id, login, now_ms, reason, int(only_if_expired)],
        )
        return Outcome.of(reply)

    async def transfer(
        self,
        ticket_id: str,
        login: str,
        now_ms: int,
        *,
        orgs: Iterable[str],
        to_kind: str,
        to: str,
        category: str = "",
        lang: str = "",
        age_group: str = "",
        may_move_waiting: bool = False,
    ) -> Outcome:
        reply = await self._transfer(
            keys=[QUEUE, ticket_key(ticket_id), LEASES, load_key(login), EVENTS],
            args=[
                ticket_id,
                login,
                now_ms,
                encode_orgs(orgs),
                to_kind,
                to,
                category,
                lang,
                age_group,
                int(may_move_waiting),
            ],
        )
        return Outcome.of(reply)

    async def close(
        self,
        ticket_id: str,
        login: str,
        now_ms: int,
        *,
        conv_id: str,
        sealed_record: bytes,
        ttl: int,
        event: Mapping[str, str],
    ) -> Outcome:
        flat: list[str] = []
        for name, value in event.items():
            flat += [name, value]
        reply = await self._close(
            keys=[QUEUE, ticket_key(ticket_id), LEASES, load_key(login), EVENTS, BY_CONV],
            args=[ticket_id, login, now_ms, conv_id, sealed_record, ttl, *flat],
        )
        return Outcome.of(reply)

    async def cancel(
        self,
        ticket_id: str,
        conv_id: str,
        now_ms: int,
        *,
        reason: str,
        ttl: int,
        end_active: bool = False,
    ) -> Outcome:
        """Take a waiting (or offline) ticket out; with ``end_active``, end a conversation
        with a counsellor too (the person unfollowed or asked to be forgotten)."""
        while True:
            counsellor = text(await self.redis.hget(ticket_key(ticket_id), "counsellor"))
            reply = await self._cancel(
                keys=[
                    QUEUE,
                    ticket_key(ticket_id),
                    EVENTS,
                    BY_CONV,
                    LEASES,
                    load_key(counsellor or "-"),
                ],
                args=[ticket_id, conv_id, now_ms, reason, ttl, int(end_active), counsellor],
            )
            result = Outcome.of(reply)
            if result.reason != "retry":
                return result

    async def raise_risk(
        self, ticket_id: str, now_ms: int, level: str, reasons: Iterable[str]
    ) -> Outcome:
        reply = await self._raise_risk(
            keys=[QUEUE, ticket_key(ticket_id), EVENTS],
            args=[ticket_id, now_ms, level, ",".join(reasons)],
        )
        return Outcome.of(reply)

    async def reroute(self, ticket_id: str, orgs: Iterable[str]) -> bool:
        return bool(await self._reroute(keys=[ticket_key(ticket_id)], args=[encode_orgs(orgs)]))

    async def log_event(self, now_ms: int, fields: Mapping[str, str]) -> None:
        flat: list[str] = []
        for name, value in fields.items():
            flat += [name, value]
        await self._log_event(keys=[EVENTS], args=[now_ms, *flat])

    async def forget(self, conv_id: str, ticket_ids: Iterable[str]) -> None:
        """Delete a conversation's tickets (with their records) and its indexes."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for ticket_id in ticket_ids:
                pipe.delete(ticket_key(ticket_id))
                pipe.zrem(QUEUE, ticket_id)
                pipe.zrem(LEASES, ticket_id)
            pipe.delete(history_key(conv_id))
            pipe.hdel(BY_CONV, conv_id)
            await pipe.execute()

    # --- reading --------------------------------------------------------------------------

    async def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        raw = await self.redis.hgetall(ticket_key(ticket_id))
        return decode_ticket(raw) if raw else None

    async def ticket_for_conversation(self, conv_id: str) -> dict[str, Any] | None:
        """The conversation's open ticket (waiting, active or offline), if any."""
        ticket_id = text(await self.redis.hget(BY_CONV, conv_id))
        return await self.ticket(ticket_id) if ticket_id else None

    async def waiting(self) -> list[dict[str, Any]]:
        """Waiting tickets, highest priority first."""
        ids = [text(i) for i in await self.redis.zrange(QUEUE, 0, -1)]
        return await self.tickets(ids)

    async def waiting_routes(self) -> list[tuple[str, str]]:
        """(ticket id, encoded orgs) of waiting tickets, highest priority first: all a
        position needs, without reading whole tickets."""
        ids = [text(i) for i in await self.redis.zrange(QUEUE, 0, -1)]
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hget(ticket_key(ticket_id), "orgs")
            orgs = await pipe.execute()
        return [(i, text(o)) for i, o in zip(ids, orgs, strict=True) if o is not None]

    async def tickets(self, ids: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hgetall(ticket_key(ticket_id))
            raws = await pipe.execute()
        return [decode_ticket(raw) for raw in raws if raw]

    async def held_by(self, login: str) -> list[str]:
        return sorted(text(i) for i in await self.redis.smembers(load_key(login)))

    async def expired_leases(self, now_ms: int) -> list[str]:
        return [text(i) for i in await self.redis.zrangebyscore(LEASES, 0, now_ms)]

    async def history(self, conv_id: str) -> list[str]:
        return [text(i) for i in await self.redis.smembers(history_key(conv_id))]
