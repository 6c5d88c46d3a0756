"""The landing zone unwritable or full: a clear Spanish error, nothing registered, no temporary file left.

Real filesystems first (a read-only bind mount, a full tmpfs: tests run as root, where chmod stops
nothing); each failure point of the atomic write is then hit on purpose by injecting the error.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.defs.landing.store import LandingError, sha256_hex
from etl.infra.database import get_engine
from etl.resources.landing import landing_store
from tests.pipeline.helpers import upload
from warehouse import tables as t

SAMPLE = ("MP", "2025-05", "MP/2025-05.csv")


def _mount(*args: str) -> bool:
    try:
        subprocess.run(["mount", *args], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


@contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """`folder` read-only for this process, by the strongest means this machine allows."""
    folder.mkdir(parents=True, exist_ok=True)
    if _mount("--bind", str(folder), str(folder)):
        try:
            if not _mount("-o", "remount,bind,ro", str(folder)):
                raise RuntimeError("bind mount made but could not be remounted read-only")
            yield "read-only bind mount"
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "chmod 0555 (not root)"
        finally:
            folder.chmod(0o755)
    else:
        raise RuntimeError("root without mount permission: no honest way to make a folder read-only here")


@contextmanager
def full_disk(folder: Path, size: str = "4k") -> Iterator[str]:
    """`folder` on a tiny filesystem: an encrypted extract does not fit."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        raise RuntimeError("cannot mount a tmpfs here to fill up")
    try:
        yield f"tmpfs size={size}"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _submissions() -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM core.fact_extract")).scalar_one())


def _leftovers(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def _assert_clean_refusal(exc: LandingError, reason: str, landing: Path, before: int) -> None:
    message = str(exc)
    assert message.startswith("no se pudo guardar el archivo en la zona de aterrizaje")
    assert f"({reason})" in message and "no se registró nada" in message
    assert str(landing) not in message and "/" not in message  # no path, no system text in English
    assert _submissions() == before
    # Nothing half-written stays: at most a complete file that nothing references (the rename had
    # happened when the error came), which the next upload of the same bytes reuses.
    for path in _leftovers(landing):
        assert path.name.endswith(".enc"), "a temporary file was left behind"
        assert sha256_hex(landing_store().read(path)) == path.name.split(".")[0]


def _assert_accepted_again(samples: Path, before: int) -> None:
    """Once the fault is gone the same upload is accepted, in force, and its file complete."""
    outcome = upload(samples / SAMPLE[2], *SAMPLE[:2])
    assert outcome.accepted
    # the session warehouse may have this very file from an earlier test: then nothing new is registered
    assert _submissions() == before + int(outcome.is_new)
    with get_engine().connect() as conn:
        stored, sha = conn.execute(
            sa.select(t.fact_extract.c.stored_path, t.fact_extract.c.content_sha256)
            .where(t.fact_extract.c.extract_id == outcome.extract_id, t.fact_extract.c.is_current)
        ).one()
    assert sha256_hex(landing_store().read(Path(stored))) == sha


@pytest.fixture(scope="module")
def mounts() -> bool:
    """Whether this process may mount (root with CAP_SYS_ADMIN, as the test machines run)."""
    with tempfile.TemporaryDirectory() as probe:
        if not _mount("-t", "tmpfs", "-o", "size=4k", "tmpfs", probe):
            return False
        subprocess.run(["umount", probe], check=True)
    return True


@pytest.mark.parametrize("existing_folder", [False, True], ids=["new-month-folder", "existing-month-folder"])
def test_read_only_landing_zone(obs_env: Path, shared_samples: Path, mounts: bool, existing_folder: bool) -> None:
    landing = obs_env / "landing"
    folder = landing / "landing" / "MP" / "2025-05"
    if existing_folder:
        folder.mkdir(parents=True)
    before = _submissions()
    if not mounts and os.geteuid() == 0:
        pytest.fail("root without mount permission: chmod stops nothing and no read-only mount can be made")
    with read_only(landing):
        with pytest.raises(LandingError) as raised:
            upload(shared_samples / SAMPLE[2], *SAMPLE[:2])
    _assert_clean_refusal(raised.value, "sistema de archivos de solo lectura" if mounts else "sin permiso de escritura",
                          landing, before)


def test_full_landing_zone(obs_env: Path, shared_samples: Path, mounts: bool) -> None:
    landing = obs_env / "landing"
    before = _submissions()
    if not mounts:
        pytest.fail("no permission to mount a tmpfs here: a full disk cannot be made for real")
    with full_disk(landing):
        with pytest.raises(LandingError) as raised:
            upload(shared_samples / SAMPLE[2], *SAMPLE[:2])
        _assert_clean_refusal(raised.value, "disco lleno", landing, before)
    # The disk freed, the same upload goes through.
    _assert_accepted_again(shared_samples, before)


def _raise(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


# (what fails, errno, Spanish reason): every step of the atomic write, each with a plausible cause.
INJECTED = [
    ("mkdir", errno.EACCES, "sin permiso de escritura"),
    ("mkstemp", errno.EROFS, "sistema de archivos de solo lectura"),
    ("fsync", errno.ENOSPC, "disco lleno"),  # after the bytes went to the temporary file
    ("chmod", errno.EPERM, "sin permiso de escritura"),
    ("replace", errno.EDQUOT, "cuota de disco agotada"),
    ("fsync_dir", errno.EIO, "error del sistema de archivos EIO"),
]


@pytest.mark.parametrize(("step", "code", "reason"), INJECTED, ids=[s for s, _, _ in INJECTED])
def test_each_write_step_failing(obs_env: Path, shared_samples: Path, step: str, code: int, reason: str) -> None:
    import etl.defs.landing.store as store

    landing = obs_env / "landing"
    before = _submissions()
    with pytest.MonkeyPatch.context() as fault:
        if step == "mkdir":
            fault.setattr(Path, "mkdir", _raise(code))
        elif step == "mkstemp":
            fault.setattr(store.tempfile, "mkstemp", _raise(code))
        elif step == "fsync_dir":
            fault.setattr(store, "_fsync_dir", _raise(code))
        else:
            fault.setattr(store.os, step, _raise(code))
        with pytest.raises(LandingError) as raised:
            upload(shared_samples / SAMPLE[2], *SAMPLE[:2])
    _assert_clean_refusal(raised.value, reason, landing, before)
    _assert_accepted_again(shared_samples, before)
