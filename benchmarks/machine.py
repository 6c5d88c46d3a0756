"""The machine a benchmark ran on, for the header of BENCHMARKS.md (figures mean little without it)."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa


@dataclass(frozen=True)
class Machine:
    cores: int
    ram_gib: float
    cpu_model: str
    python: str
    postgresql: str
    date: str

    def markdown(self) -> str:
        return (
            f"- Date: {self.date}\n- CPU: {self.cpu_model}, {self.cores} cores\n- RAM: {self.ram_gib:.1f} GiB\n"
            f"- Python: {self.python}\n- PostgreSQL: {self.postgresql}"
        )


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe(engine: sa.Engine) -> Machine:
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    return Machine(
        cores=os.cpu_count() or 1,
        ram_gib=psutil.virtual_memory().total / 2**30,
        cpu_model=cpu_model(),
        python=platform.python_version(),
        postgresql=str(version),
        date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
