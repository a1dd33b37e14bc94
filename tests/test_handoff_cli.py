"""tsunagari org add / counsellor add: adding what exists is not an error."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

from redis.asyncio import Redis

from handoff.cli import counsellor_add_async, org_add_async
from handoff.staff import StaffDirectory

PASSWORD = "a long enough password"


async def test_org_add_twice(redis_client: Redis) -> None:
    first, second = io.StringIO(), io.StringIO()

    assert await org_add_async(["npo", "--name", "つながりNPO"], redis_client, out=first) == 0
    assert await org_add_async(["npo", "--name", "別の名前"], redis_client, out=second) == 0

    assert first.getvalue() == "org npo: created\n"
    assert second.getvalue() == "org npo: exists\n"
    org = await StaffDirectory(redis_client).org("npo")
    assert org is not None and org.name == "つながりNPO"
    assert await org_add_async(["Bad Id"], redis_client, out=io.StringIO()) == 2
    assert await org_add_async([], redis_client, out=io.StringIO()) == 2


async def test_counsellor_add_twice(redis_client: Redis) -> None:
    await org_add_async(["npo"], redis_client, out=io.StringIO())
    out = io.StringIO()
    args = ["Alice", "--org", "npo", "--role", "supervisor"]

    assert await counsellor_add_async(args, redis_client, io.StringIO(PASSWORD + "\n"), out) == 0
    assert (
        await counsellor_add_async(args, redis_client, io.StringIO("other password!!\n"), out) == 0
    )

    assert out.getvalue() == "counsellor alice: created\ncounsellor alice: exists\n"
    staff = StaffDirectory(redis_client)
    person = await staff.counsellor("alice")
    assert person is not None and person.role == "supervisor" and person.org == "npo"
    assert await staff.login("alice", PASSWORD)  # the first password still holds
    for bad in (["bob", "--org", "nowhere"], ["bob", "--org", "npo", "--role", "king"], ["bob"]):
        assert (
            await counsellor_add_async(
                bad, redis_client, io.StringIO(PASSWORD + "\n"), io.StringIO()
            )
            == 2
        )
    assert (
        await counsellor_add_async(
            ["bob", "--org", "npo"], redis_client, io.StringIO("short\n"), io.StringIO()
        )
        == 2
    )
    assert await staff.counsellor("bob") is None


async def test_the_commands_run_as_a_process_against_a_redis_url(
    redis_server, redis_client: Redis
) -> None:  # type: ignore[no-untyped-def]
    script = (
        "import sys\n"
        "from bot.settings import Settings\n"
        "from handoff.cli import org_add, org_main, counsellor_main, stats_main\n"
        "url = sys.argv[1]\n"
        "settings = Settings(redis_url=url)\n"
        "codes = [org_add(['cli-org'], url), org_main(['add', 'cli-org'], settings),\n"
        "         counsellor_main(['add', 'cli-user', '--org', 'cli-org'], settings),\n"
        "         stats_main(['--from', '2026-01-01'], settings)]\n"
        "assert org_main(['remove', 'cli-org'], url) == 2\n"
        "sys.exit(sum(codes))\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        redis_server.url,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate((PASSWORD + "\n").encode()), 60)
    assert process.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert lines[:3] == [
        "org cli-org: created",
        "org cli-org: exists",
        "counsellor cli-user: created",
    ]
    assert "requests 0" in lines
