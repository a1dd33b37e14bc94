"""Partner organisations and the people who sign in to the console.

Passwords are hashed with Argon2id (argon2-cffi), verified off the event loop. Bearer
tokens are random; only their SHA-256 is stored, with an expiry. Failed logins are
counted per login and per client address, each in a fixed window, so a password cannot
be guessed at speed, while an office behind one address can still sign in at shift
start. An unknown login costs the same hash check as a known one, so the answer time
does not tell which logins exist.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis

from bot.store import keys
from handoff.model import ROLES, Counsellor, text, text_map

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
ORG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MIN_PASSWORD_LENGTH = 10
ANSWERING_ROLES = frozenset({"counsellor", "supervisor"})


@dataclass(frozen=True)
class Org:
    id: str
    name: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.id


class LoginRefused(Exception):
    """Wrong login or password (deliberately not saying which)."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many login attempts; retry after {retry_after} s")
        self.retry_after = retry_after


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_org_key = keys.staff_org
_user_key = keys.staff_user
_answering_key = keys.staff_org_members


def _token_key(token: str) -> str:
    return keys.staff_token(token_digest(token))


_failures_key = keys.staff_login_failures


def _address_key(address: str) -> str:
    return keys.staff_address_failures(token_digest(address))


class StaffDirectory:
    def __init__(
        self,
        redis: Redis,
        *,
        hasher: PasswordHasher | None = None,
        token_ttl_seconds: int = 12 * 3600,
        max_failures: int = 5,
        max_failures_per_address: int = 30,
        window_seconds: int = 15 * 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.hasher = hasher or PasswordHasher()
        self.token_ttl_seconds = token_ttl_seconds
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address
        self.window_seconds = window_seconds
        self.clock = clock

    # --- organisations ------------------------------------------------------------------

    async def add_org(self, org_id: str, name: str | None = None) -> bool:
        """Register an organisation; False (and no change) if it already exists."""
        if not ORG_PATTERN.match(org_id):
            raise ValueError("organisation ids are lowercase letters, digits, - and _")
        fields: dict[Any, Any] = {
            "id": org_id,
            "name": name or "",
            "created_at": f"{self.clock():.3f}",
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.STAFF_ORGS, org_id)
            pipe.hsetnx(_org_key(org_id), "id", org_id)
            created = (await pipe.execute())[1]
        if created:
            await self.redis.hset(_org_key(org_id), mapping=fields)
        return bool(created)

    async def org(self, org_id: str) -> Org | None:
        raw = text_map(await self.redis.hgetall(_org_key(org_id)))
        return Org(raw["id"], raw.get("name") or None) if raw else None

    async def orgs(self) -> list[Org]:
        ids = sorted(text(i) for i in await self.redis.smembers(keys.STAFF_ORGS))
        found = [await self.org(i) for i in ids]
        return [o for o in found if o is not None]

    # --- people -------------------------------------------------------------------------

    async def add_counsellor(
        self,
        login: str,
        org: str,
        password: str,
        *,
        role: str = "counsellor",
        name: str | None = None,
    ) -> bool:
        """Create an account; False (and no change) if the login already exists."""
        login = login.strip().lower()
        if not LOGIN_PATTERN.match(login):
            raise ValueError("logins are lowercase letters, digits and . _ @ + -")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if await self.redis.exists(_user_key(login)):
            return False
        if await self.org(org) is None:
            raise ValueError(f"no organisation {org!r}: add it first")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
        hashed = await asyncio.to_thread(self.hasher.hash, password)
        fields: dict[Any, Any] = {
            "login": login,
            "org": org,
            "role": role,
            "name": name or "",
            "password": hashed,
            "created_at": f"{self.clock():.3f}",
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(_user_key(login), "login", login)
            pipe.sadd(keys.STAFF_USERS, login)
            created = (await pipe.execute())[0]
        if not created:  # another process added it in between
            return False
        await self.redis.hset(_user_key(login), mapping=fields)
        if role in ANSWERING_ROLES:
            await self.redis.sadd(_answering_key(org), login)
        return True

    async def answering_orgs(self) -> list[Org]:
        """Organisations with someone who answers conversations (a counsellor or a
        supervisor): the platform's own coordinators' organisation is not a route."""
        orgs = await self.orgs()
        async with self.redis.pipeline(transaction=False) as pipe:
            for org in orgs:
                pipe.scard(_answering_key(org.id))
            counts = await pipe.execute()
        return [org for org, count in zip(orgs, counts, strict=True) if count]

    async def counsellor(self, login: str) -> Counsellor | None:
        raw = text_map(await self.redis.hgetall(_user_key(login)))
        if not raw.get("org"):
            return None
        return Counsellor(
            login=raw["login"],
            org=raw["org"],
            role=raw.get("role", "counsellor"),
            name=raw.get("name") or None,
        )

    async def counsellors(self, logins: list[str]) -> dict[str, Counsellor]:
        found = {}
        for login in logins:
            person = await self.counsellor(login)
            if person is not None:
                found[login] = person
        return found

    # --- signing in ---------------------------------------------------------------------

    @cached_property
    def _decoy_hash(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))

    async def login(self, login: str, password: str, address: str | None = None) -> str:
        """A new bearer token, or LoginRefused / LoginThrottled."""
        login = login.strip().lower()[:64]
        counters = [(_failures_key(login), self.max_failures)]
        if address is not None:
            counters.append((_address_key(address), self.max_failures_per_address))
        for key, limit in counters:
            failures = await self.redis.get(key)
            if failures is not None and int(failures) >= limit:
                raise LoginThrottled(await self._retry_after(key))
        stored = text(await self.redis.hget(_user_key(login), "password"))
        valid = await asyncio.to_thread(self._verify, stored or self._decoy_hash, password)
        if not (stored and valid):
            for key, _limit in counters:
                await self._count(key)
            raise LoginRefused()
        await self.redis.delete(_failures_key(login))
        if self.hasher.check_needs_rehash(stored):
            new_hash = await asyncio.to_thread(self.hasher.hash, password)
            await self.redis.hset(_user_key(login), "password", new_hash)
        return await self._issue_token(login)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _count(self, key: str) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=self.window_seconds, nx=True)
            pipe.incr(key)
            return int((await pipe.execute())[1])

    async def _retry_after(self, key: str) -> int:
        return max(1, int(await self.redis.ttl(key)))

    async def _issue_token(self, login: str) -> str:
        token = secrets.token_urlsafe(32)
        expires = self.clock() + self.token_ttl_seconds
        await self.redis.hset(
            _token_key(token), mapping={"login": login, "expires_at": f"{expires:.3f}"}
        )
        await self.redis.expire(_token_key(token), self.token_ttl_seconds)
        return token

    async def authenticate(self, token: str) -> Counsellor | None:
        raw = text_map(await self.redis.hgetall(_token_key(token)))
        if not raw or float(raw["expires_at"]) <= self.clock():
            return None
        return await self.counsellor(raw["login"])

    async def logout(self, token: str) -> None:
        await self.redis.delete(_token_key(token))
