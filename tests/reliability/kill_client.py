"""Parent side of kill_target: start work in a forked worker, SIGKILL it after a delay, read its markers."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class WorkerOutcome:
    exit_code: int  # negative: killed by that signal
    seconds: float  # from fork to the kill (or to the worker's own end)
    markers: list[str]

    @property
    def killed(self) -> bool:
        return self.exit_code == -signal.SIGKILL

    @property
    def last_marker(self) -> str:
        return self.markers[-1] if self.markers else "(none)"


class KillTarget:
    def __init__(self, env: dict[str, str], timeout: float = 120.0):
        self._timeout = timeout
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.kill_target"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._proc.stdout, selectors.EVENT_READ)
        assert self._read().get("ready") is True

    def _read(self) -> dict[str, Any]:
        if not self._selector.select(self._timeout):
            raise TimeoutError(f"kill_target did not answer within {self._timeout:.0f} s")
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"kill_target ended (exit code {self._proc.wait()})")
        return json.loads(line)

    def _send(self, payload: dict[str, Any]) -> None:
        self._proc.stdin.write(json.dumps(payload) + "\n")
        self._proc.stdin.flush()

    def warm(self, institution: str, period: str, file: Path) -> None:
        self._send({"op": "warm", "institution": institution, "period": period, "file": str(file)})
        assert self._read().get("warm") is True

    def run(
        self,
        command: dict[str, Any],
        markers: Path,
        kill_after: float | None,
        pause: float,
        kill_at: tuple[str, int] | None = None,
    ) -> WorkerOutcome:
        """Run `command` in a fresh worker and SIGKILL it `kill_after` seconds after the fork, or as soon
        as the `kill_at` = (marker, n)-th occurrence of a step marker appears (neither: let it finish)."""
        markers.unlink(missing_ok=True)
        self._send({**command, "markers": str(markers), "pause": pause})
        pid = self._read()["pid"]
        started = time.perf_counter()
        if kill_at is not None:
            self._wait_for_marker(markers, *kill_at, deadline=started + self._timeout)
        elif kill_after is not None:
            time.sleep(max(0.0, kill_after - (time.perf_counter() - started)))
        if kill_at is not None or kill_after is not None:
            # The worker stays a zombie (its pid reserved) until reaped, so this cannot hit another process.
            os.kill(pid, signal.SIGKILL)
        self._send({"op": "reap"})
        code = self._read()["exit"]
        seconds = time.perf_counter() - started
        lines = markers.read_text().splitlines() if markers.exists() else []
        return WorkerOutcome(code, seconds, lines)

    @staticmethod
    def _wait_for_marker(markers: Path, label: str, occurrence: int, deadline: float) -> None:
        while time.perf_counter() < deadline:
            if markers.exists() and markers.read_text().splitlines().count(label) >= occurrence:
                return
            time.sleep(0.002)
        raise TimeoutError(f"step marker {label!r} #{occurrence} never appeared")

    def close(self) -> None:
        if self._proc.poll() is None:
            self._send({"op": "quit"})
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._selector.close()
