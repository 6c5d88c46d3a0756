"""Encrypted landing copies of very large extracts, written and read a frame at a time.

The landing store (`etl.defs.landing.store`) encrypts a file as one Fernet token, which needs the
whole file, its ciphertext and its base64 in memory at once: about 3x the file, 1.4 GB for a
450 MB extract. A large file is therefore stored as a sequence of frames, each frame one Fernet
token (same key, same MultiFernet rotation rules as the landing store) of at most `FRAME_BYTES`
of plaintext, so that sealing and reading back hold one frame at a time.

Layout: the magic line `OBSF1\\n`, then frames, each a 4-byte big-endian length and the token.
A token's plaintext starts with an 8-byte frame index and a 1-byte "last frame" flag, so frames
cannot be reordered, dropped or the file truncated without the reader noticing. Such files are
named `<sha256><.ext>.fenc` (not `.enc`): `LandingStore.read` cannot read them, only `read_sealed`.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from etl.defs.landing.store import LandingError

MAGIC = b"OBSF1\n"
SUFFIX = ".fenc"
FRAME_BYTES = 4 * 1024 * 1024
_LENGTH = struct.Struct(">I")
_HEADER = struct.Struct(">QB")  # frame index, last-frame flag


@dataclass(frozen=True)
class SealedFile:
    path: Path  # where the sealed copy is now (a temporary name until `place` moves it)
    sha256: str  # of the plaintext, as the landing store names files
    byte_count: int


def _fernet(keys: Sequence[bytes]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def seal(source: Path, workdir: Path, fernet_keys: Sequence[bytes]) -> SealedFile:
    """Encrypt `source` frame by frame into a temporary file under `workdir`; hash it meanwhile."""
    fernet = _fernet(fernet_keys)
    digest = hashlib.sha256()
    size = 0
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=workdir, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out, source.open("rb") as plain:
            out.write(MAGIC)
            index = 0
            block = plain.read(FRAME_BYTES)
            while True:
                following = plain.read(FRAME_BYTES) if block else b""
                digest.update(block)
                size += len(block)
                token = fernet.encrypt(_HEADER.pack(index, not following) + block)
                out.write(_LENGTH.pack(len(token)))
                out.write(token)
                index += 1
                if not following:
                    break
                block = following
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise LandingError(
            f"no se pudo cifrar el archivo en la zona de aterrizaje ({exc.strerror or type(exc).__name__}); "
            "no se registró nada"
        ) from None
    return SealedFile(Path(tmp), digest.hexdigest(), size)


def place(sealed: SealedFile, target: Path) -> Path:
    """Move a sealed temporary file to its final, read-only name (atomic rename, same filesystem)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # the same bytes landed before: keep the first copy
            sealed.path.unlink()
            return target
        os.chmod(sealed.path, 0o400)
        os.replace(sealed.path, target)
        # The rename is durable only once the folder is: the submission is committed next, and after
        # a power loss it must not point to a file the folder forgot.
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise LandingError(
            f"no se pudo guardar el archivo en la zona de aterrizaje ({exc.strerror or type(exc).__name__})"
        ) from None
    return target


def discard(sealed: SealedFile) -> None:
    if sealed.path.exists() and sealed.path.name.startswith(".incoming-"):
        sealed.path.unlink()


def read_sealed(path: Path, fernet_keys: Sequence[bytes]) -> Iterator[bytes]:
    """The plaintext of a sealed file, one frame at a time; raises LandingError if it was tampered with."""
    fernet = _fernet(fernet_keys)
    tampered = "el archivo guardado no se pudo descifrar: clave distinta o archivo alterado"
    try:
        with path.open("rb") as sealed:
            if sealed.read(len(MAGIC)) != MAGIC:
                raise LandingError(tampered)
            expected = 0
            while True:
                length = sealed.read(_LENGTH.size)
                if len(length) != _LENGTH.size:
                    raise LandingError(tampered)  # truncated: the last frame never came
                token = sealed.read(_LENGTH.unpack(length)[0])
                try:
                    frame = fernet.decrypt(token)
                except InvalidToken:
                    raise LandingError(tampered) from None
                index, last = _HEADER.unpack_from(frame)
                if index != expected:
                    raise LandingError(tampered)
                yield frame[_HEADER.size:]
                if last:
                    if sealed.read(1):
                        raise LandingError(tampered)
                    return
                expected += 1
    except OSError as exc:
        raise LandingError(f"no se pudo leer el archivo guardado ({exc.strerror or type(exc).__name__})") from None
