"""Encrypted, immutable storage of the agencies' files.

Files are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a
key derived (HKDF, purpose `landing`) from the master secret, which lives outside the repository and the database.
A file is named by its content hash, written to a temporary name and renamed into place, so
a crash never leaves a half-written file where a complete one is expected, and the same
upload twice is one file.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ACCEPTED, QUARANTINE = "landing", "quarantine"
TEMP_PREFIX = ".incoming-"
# A write takes seconds; a temporary file untouched this long was left by a process that died
# mid-write (SIGKILL, power loss), and it holds (encrypted) raw data that nothing references.
ABANDONED_AFTER_SECONDS = 15 * 60

# The agency reads these: Spanish, and only the kind of failure (never a path).
_REASONS = {
    errno.ENOSPC: "disco lleno",
    errno.EDQUOT: "cuota de disco agotada",
    errno.EFBIG: "archivo demasiado grande para el sistema de archivos",
    errno.EROFS: "sistema de archivos de solo lectura",
    errno.EACCES: "sin permiso de escritura",
    errno.EPERM: "sin permiso de escritura",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, f"error del sistema de archivos {errno.errorcode.get(exc.errno or 0, 'desconocido')}")


class LandingError(RuntimeError):
    """The landing zone could not store or read a file (disk full, unwritable, tampered)."""


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    byte_count: int


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class LandingStore:
    def __init__(self, root: Path, fernet_keys: Sequence[bytes]):
        """`fernet_keys` newest first: new files use the newest, older ones stay readable after a rotation."""
        self.root = root
        self._fernet = MultiFernet([Fernet(k) for k in fernet_keys])

    def _dir(self, area: str, institution: str, period: str) -> Path:
        return self.root / area / institution / period

    def put(self, area: str, institution: str, period: str, content: bytes, suffix: str) -> StoredFile:
        digest = sha256_hex(content)
        folder = self._dir(area, institution, period)
        target = folder / f"{digest}{suffix}.enc"
        _remove_abandoned(folder)
        if target.exists():
            return StoredFile(target, digest, len(content))
        token = self._fernet.encrypt(content)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(token)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o400)  # immutable once landed
                os.replace(tmp, target)
                # The rename is durable only once the folder is: the submission is registered next,
                # and after a power loss it must not point to a file the folder forgot.
                _fsync_dir(folder)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:
            raise LandingError(
                f"no se pudo guardar el archivo en la zona de aterrizaje ({_reason(exc)}); no se registró nada"
            ) from None
        return StoredFile(target, digest, len(content))

    def read(self, path: Path) -> bytes:
        try:
            content = self._fernet.decrypt(path.read_bytes())
        except InvalidToken:
            raise LandingError("el archivo guardado no se pudo descifrar: clave distinta o archivo alterado") from None
        except OSError as exc:
            raise LandingError(f"no se pudo leer el archivo guardado ({_reason(exc)})") from None
        return content

    def purge_older_than(self, days: int, now: dt.datetime | None = None) -> list[Path]:
        """Delete raw files older than `days`; returns what was deleted (retention policy)."""
        now = now or dt.datetime.now(dt.timezone.utc)
        cutoff = now.timestamp() - days * 86400
        deleted: list[Path] = []
        for area in (ACCEPTED, QUARANTINE):
            # temporary files a crashed upload left behind hold raw data too
            files = [*(self.root / area).glob("*/*/*.enc"), *(self.root / area).glob(f"*/*/{TEMP_PREFIX}*")]
            for path in sorted(files):
                if path.stat().st_mtime < cutoff:
                    path.chmod(0o600)
                    path.unlink()
                    deleted.append(path)
        return deleted


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_abandoned(folder: Path) -> None:
    """Delete temporary files that a process killed mid-write left in `folder` (never a write in progress)."""
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for path in folder.glob(f"{TEMP_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # best effort: gone already (another upload removed it), or the next upload retries
