"""Encrypted, immutable storage of the agencies' files.

Files are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a
key derived (HKDF, purpose `landing`) from the master secret, which lives outside the repository and the database.
A file is named by its content hash, written to a temporary name and renamed into place, so
a crash never leaves a half-written file where a complete one is expected, and the same
upload twice is one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ACCEPTED, QUARANTINE = "landing", "quarantine"


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
        if target.exists():
            return StoredFile(target, digest, len(content))
        token = self._fernet.encrypt(content)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(token)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o400)  # immutable once landed
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:
            raise LandingError(
                f"no se pudo guardar el archivo en la zona de aterrizaje ({exc.strerror or type(exc).__name__}); "
                "no se registró nada"
            ) from None
        return StoredFile(target, digest, len(content))

    def read(self, path: Path) -> bytes:
        try:
            content = self._fernet.decrypt(path.read_bytes())
        except InvalidToken:
            raise LandingError("el archivo guardado no se pudo descifrar: clave distinta o archivo alterado") from None
        except OSError as exc:
            raise LandingError(f"no se pudo leer el archivo guardado ({exc.strerror or type(exc).__name__})") from None
        return content

    def purge_older_than(self, days: int, now: dt.datetime | None = None) -> list[Path]:
        """Delete raw files older than `days`; returns what was deleted (retention policy)."""
        now = now or dt.datetime.now(dt.timezone.utc)
        cutoff = now.timestamp() - days * 86400
        deleted: list[Path] = []
        for area in (ACCEPTED, QUARANTINE):
            for path in sorted((self.root / area).glob("*/*/*.enc")):
                if path.stat().st_mtime < cutoff:
                    path.chmod(0o600)
                    path.unlink()
                    deleted.append(path)
        return deleted

