"""The `tsunagari` command.

tsunagari serve [--host H] [--port P]   web chat, LINE webhook, console, API
tsunagari chat                          the same conversation in the terminal
tsunagari risk | triage                 JSON lines in, JSON lines out (stdin → stdout)
tsunagari catalog check                 validate the support catalogue
tsunagari org add | counsellor add | stats   partner organisations and figures
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from bot.logs import setup_logging
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[list[str]], int]] = {
        "serve": serve,
        "chat": chat,
        "risk": risk,
        "triage": triage,
        "catalog": catalog,
        "org": org,
        "counsellor": counsellor,
        "stats": stats,
        "flow": flow,
    }
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in commands:
        sys.stdout.write(__doc__.strip() + "\n")
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    return commands[argv[0]](argv[1:])


def serve(argv: list[str]) -> int:
    from aiohttp import web

    from bot.app import create_app

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="tsunagari serve")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    settings = settings.with_(host=args.host, port=args.port)
    setup_logging(settings)
    sys.stdout.write(f"tsunagari: web chat on http://{args.host}:{args.port}/  (Ctrl+C to stop)\n")
    web.run_app(create_app(settings), host=args.host, port=args.port, print=None, access_log=None)
    return 0


def chat(argv: list[str]) -> int:
    from bot.terminal import run_terminal_chat

    settings = Settings.from_env()
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run_terminal_chat(settings))


def risk(argv: list[str]) -> int:
    from bot.risk import run_jsonl

    run_jsonl(sys.stdin, sys.stdout)
    return 0


def triage(argv: list[str]) -> int:
    from bot.catalog import Catalog
    from bot.results import services_for_categories
    from bot.triage import Triage

    catalog = Catalog.load()
    Triage.load().run_jsonl(
        sys.stdin, sys.stdout, lambda cats: services_for_categories(catalog, cats)
    )
    return 0


def catalog(argv: list[str]) -> int:
    from bot.catalog import check_main

    if argv[:1] != ["check"]:
        sys.stdout.write("usage: tsunagari catalog check\n")
        return 2
    return check_main(argv[1:])


def org(argv: list[str]) -> int:
    from handoff.cli import org_main

    return org_main(argv, Settings.from_env())


def counsellor(argv: list[str]) -> int:
    from handoff.cli import counsellor_main

    return counsellor_main(argv, Settings.from_env())


def stats(argv: list[str]) -> int:
    from handoff.cli import stats_main

    return stats_main(argv, Settings.from_env())


def flow(argv: list[str]) -> int:
    from bot.diagram import diagram_main

    return diagram_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
