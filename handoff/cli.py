"""Command-line administration of the handoff side, wired into ``tsunagari``:

    tsunagari org add ORG [--name 表示名]
    tsunagari counsellor add LOGIN --org ORG [--role ROLE] [--name NAME]   (password on stdin)
    tsunagari stats [--from DATE] [--to DATE] [--org ORG] [--json]

``org_main`` and ``counsellor_main`` take the arguments after ``org`` / ``counsellor``
(starting with ``add``); ``org_add``, ``counsellor_add`` and ``stats_main`` the arguments
after their command words. Each also takes where the store is: a Redis URL, a client,
the app's ``Settings`` (REDIS_URL, or the embedded store under the data directory, as
``tsunagari serve`` uses), or None for ``Settings.from_env()``. Adding what already exists
is not an error and changes nothing. Exit status 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import IO

from redis.asyncio import Redis

from bot.settings import Settings
from handoff.model import ROLES
from handoff.routing import TOKYO
from handoff.staff import StaffDirectory
from handoff.stats import compute_stats, format_stats

RedisSource = Redis | str | Settings | None


@asynccontextmanager
async def _redis(source: RedisSource) -> AsyncIterator[Redis]:
    if isinstance(source, Redis):
        yield source
        return
    if isinstance(source, str):
        client = Redis.from_url(source, decode_responses=False)
        try:
            yield client
        finally:
            await client.aclose()
        return
    from bot.store.connection import open_redis

    settings = source or Settings.from_env()
    async with open_redis(settings.redis_url, settings.data_dir) as client:
        yield client


def _run(source: RedisSource, job: Callable[[Redis], Awaitable[int]]) -> int:
    async def main() -> int:
        async with _redis(source) as client:
            return await job(client)

    return asyncio.run(main())


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


# --- org add ----------------------------------------------------------------------------------


def _org_parser() -> _Parser:
    parser = _Parser(prog="tsunagari org add", description="Register a partner organisation.")
    parser.add_argument("org", help="id: lowercase letters, digits, - and _")
    parser.add_argument("--name", help="display name, e.g. つながりNPO")
    return parser


async def org_add_async(argv: list[str], redis: Redis, out: IO[str] = sys.stdout) -> int:
    try:
        args = _org_parser().parse_args(argv)
        created = await StaffDirectory(redis).add_org(args.org, args.name)
    except (_Usage, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    out.write(f"org {args.org}: {'created' if created else 'exists'}\n")
    return 0


def org_add(argv: list[str], redis: RedisSource = None) -> int:
    return _run(redis, lambda client: org_add_async(argv, client))


def org_main(argv: list[str], redis: RedisSource = None) -> int:
    """``tsunagari org add ...``"""
    if argv[:1] != ["add"]:
        sys.stderr.write("usage: tsunagari org add ORG [--name 表示名]\n")
        return 2
    return org_add(argv[1:], redis)


# --- counsellor add -----------------------------------------------------------------------


def _counsellor_parser() -> _Parser:
    parser = _Parser(
        prog="tsunagari counsellor add",
        description="Add a console account; the password is read from stdin.",
    )
    parser.add_argument("login")
    parser.add_argument("--org", required=True)
    parser.add_argument("--role", default="counsellor", choices=ROLES)
    parser.add_argument("--name", help="the name the person sees, if any")
    return parser


def _read_password(stdin: IO[str]) -> str:
    if stdin.isatty():
        return getpass.getpass("password: ")
    return stdin.readline().rstrip("\r\n")


async def counsellor_add_async(
    argv: list[str], redis: Redis, stdin: IO[str] = sys.stdin, out: IO[str] = sys.stdout
) -> int:
    try:
        args = _counsellor_parser().parse_args(argv)
        staff = StaffDirectory(redis)
        login = args.login.strip().lower()
        if await staff.counsellor(login) is not None:
            out.write(f"counsellor {login}: exists\n")
            return 0
        created = await staff.add_counsellor(
            login, args.org, _read_password(stdin), role=args.role, name=args.name
        )
    except (_Usage, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    out.write(f"counsellor {login}: {'created' if created else 'exists'}\n")
    return 0


def counsellor_add(
    argv: list[str], redis: RedisSource = None, stdin: IO[str] | None = None
) -> int:
    return _run(redis, lambda client: counsellor_add_async(argv, client, stdin or sys.stdin))


def counsellor_main(argv: list[str], redis: RedisSource = None) -> int:
    """``tsunagari counsellor add ...`` (the password on stdin)"""
    if argv[:1] != ["add"]:
        sys.stderr.write("usage: tsunagari counsellor add LOGIN --org ORG [--role ROLE]\n")
        return 2
    return counsellor_add(argv[1:], redis)


# --- stats -----------------------------------------------------------------------------------


def _stats_parser() -> _Parser:
    parser = _Parser(prog="tsunagari stats", description="Handoff figures as #9999 reports them.")
    parser.add_argument("--from", dest="start", help="ISO date or date-time (default: 7 days ago)")
    parser.add_argument("--to", dest="end", help="ISO date (included) or date-time (default: now)")
    parser.add_argument("--org", help="only conversations routed to this organisation")
    parser.add_argument("--json", action="store_true", help="the same JSON as GET /api/stats")
    return parser


def _moment(raw: str, end_of_day: bool = False) -> datetime:
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TOKYO)
    if end_of_day and len(raw) == 10:
        moment += timedelta(days=1)
    return moment


async def stats_async(argv: list[str], redis: Redis, out: IO[str] = sys.stdout) -> int:
    try:
        args = _stats_parser().parse_args(argv)
        now = datetime.now(TOKYO) + timedelta(milliseconds=1)  # the end is exclusive
        end = _moment(args.end, end_of_day=True) if args.end else now
        start = _moment(args.start) if args.start else end - timedelta(days=7)
    except (_Usage, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    figures = await compute_stats(redis, start.timestamp(), end.timestamp(), org=args.org)
    if args.json:
        out.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_stats(figures) + "\n")
    return 0


def stats_main(argv: list[str], redis: RedisSource = None) -> int:
    return _run(redis, lambda client: stats_async(argv, client))
