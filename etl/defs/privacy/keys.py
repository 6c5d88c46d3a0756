"""The master secret and the per-purpose keys derived from it.

One master secret, set by the operator outside the repository, is the root of every keyed
pseudonym in the warehouse. Each purpose (match tokens, person keys, record keys, the
encrypted landing zone) gets its own 256-bit key derived with HKDF-SHA-256, so a key
exposed for one purpose says nothing about the others.

Rotation keeps a chain of generations (oldest first): after a rotation the stored tokens are
re-keyed by chaining (see `pseudonym.rotate`) and new tokens are computed through the whole
chain, so every generation's secret stays needed for tokenizing new data. An attacker needs
every secret of the chain to test a guess.

Stored: only `key_id`, the first 8 hex digits of HMAC(master, "key-id") of the newest
generation, beside each pseudonym (it identifies the key, and reveals nothing of it).
Never stored, logged or put in a message: the secrets and the derived keys.

Configuration (no default, on purpose):
- `OBSERVATORIO_SECRET_KEY`: the secret as base64 or hex (at least 32 bytes once decoded);
  after rotations, several secrets separated by commas, oldest first.
- `OBSERVATORIO_SECRET_KEY_FILE`: path of a file holding the same (one secret per line,
  `#` comments allowed). Set one of the two, not both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from etl.defs.privacy.prekeyed_hmac import PrekeyedHmacSha256

ENV_SECRET_KEY = "OBSERVATORIO_SECRET_KEY"
ENV_SECRET_KEY_FILE = "OBSERVATORIO_SECRET_KEY_FILE"
MIN_SECRET_BYTES = 32
KEY_ID_HEX = 8

_HKDF_SALT = b"observatorio/hkdf/v1"
_HEX = re.compile(r"^[0-9a-fA-F]+$")

HOW_TO_SET = (
    f"Defina {ENV_SECRET_KEY} (base64 o hex, al menos {MIN_SECRET_BYTES} bytes) o "
    f"{ENV_SECRET_KEY_FILE} (ruta de un archivo con la clave). Para generar una: "
    "python -c \"from etl.defs.privacy.keys import generate_secret; print(generate_secret())\""
)


class Purpose(StrEnum):
    """What a derived key is for; each purpose has its own key."""

    MATCH = "match"  # match tokens compared by linkage
    PERSON = "person"  # person keys
    RECORD = "record"  # pseudonyms of agency case keys
    LANDING = "landing"  # encryption of the landing zone


class SecretConfigError(RuntimeError):
    """The master secret is missing or malformed. Messages never contain the secret."""


def generate_secret() -> str:
    """A fresh 32-byte secret, base64-encoded, for a local demo or a new deployment."""
    return base64.b64encode(secrets.token_bytes(MIN_SECRET_BYTES)).decode("ascii")


def decode_secret(text: str, position: int = 1) -> bytes:
    """Decode one secret written as hex or base64 (optionally prefixed `hex:` / `base64:`)."""
    value = text.strip()
    kind = None
    for prefix in ("hex:", "base64:", "b64:"):
        if value.lower().startswith(prefix):
            kind, value = prefix.rstrip(":"), value[len(prefix):].strip()
    try:
        if kind == "hex" or (kind is None and _HEX.match(value) and len(value) % 2 == 0):
            raw = bytes.fromhex(value)
        else:
            padded = value + "=" * (-len(value) % 4)
            alphabet_fixed = padded.replace("-", "+").replace("_", "/")
            raw = base64.b64decode(alphabet_fixed, validate=True)
    except (ValueError, binascii.Error):
        raise SecretConfigError(
            f"la clave maestra n.º {position} no es base64 ni hex válido. {HOW_TO_SET}"
        ) from None
    if len(raw) < MIN_SECRET_BYTES:
        raise SecretConfigError(
            f"la clave maestra n.º {position} tiene {len(raw)} bytes; se requieren al menos "
            f"{MIN_SECRET_BYTES}. {HOW_TO_SET}"
        )
    return raw


def _split_secrets(text: str) -> list[str]:
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    return [piece for line in lines for piece in re.split(r"[,\s]+", line) if piece]


def _environ(settings: Any) -> Mapping[str, str]:
    # A mapping is taken as the environment itself; anything else (the project's Settings,
    # which deliberately holds no secret) means "read the process environment".
    return settings if isinstance(settings, Mapping) else os.environ


def load_master_secrets(settings: Any = None) -> tuple[bytes, ...]:
    """Every configured secret generation, oldest first. Raises SecretConfigError if none."""
    env = _environ(settings)
    inline = (env.get(ENV_SECRET_KEY) or "").strip()
    file_path = (env.get(ENV_SECRET_KEY_FILE) or "").strip()
    if inline and file_path:
        raise SecretConfigError(f"defina {ENV_SECRET_KEY} o {ENV_SECRET_KEY_FILE}, no ambas.")
    if file_path:
        path = Path(file_path).expanduser()
        try:
            inline = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SecretConfigError(
                f"no se pudo leer el archivo de clave indicado en {ENV_SECRET_KEY_FILE} "
                f"({type(exc).__name__}). {HOW_TO_SET}"
            ) from None
        source = ENV_SECRET_KEY_FILE
    else:
        source = ENV_SECRET_KEY
    pieces = _split_secrets(inline)
    if not pieces:
        if file_path:
            raise SecretConfigError(f"el archivo de {source} está vacío. {HOW_TO_SET}")
        raise SecretConfigError(f"no hay clave maestra configurada. {HOW_TO_SET}")
    return tuple(decode_secret(piece, position) for position, piece in enumerate(pieces, start=1))


def load_master_secret(settings: Any = None) -> bytes:
    """The newest configured secret (see `load_keyring` to honour earlier rotations)."""
    return load_master_secrets(settings)[-1]


def key_id_of(secret: bytes) -> str:
    return hmac.new(secret, b"key-id", hashlib.sha256).hexdigest()[:KEY_ID_HEX]


class KeyGeneration:
    """One master secret and its derived keys. The repr never shows key material."""

    __slots__ = ("_secret", "_derived", "key_id")

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise SecretConfigError(f"la clave maestra debe tener al menos {MIN_SECRET_BYTES} bytes.")
        self._secret = secret
        self._derived: dict[str, bytes] = {}
        self.key_id = key_id_of(secret)

    def derived_key(self, purpose: Purpose | str) -> bytes:
        label = str(purpose)
        if label not in self._derived:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT,
                        info=b"observatorio/v1/" + label.encode("ascii"))
            self._derived[label] = hkdf.derive(self._secret)
        return self._derived[label]

    def __repr__(self) -> str:
        return f"KeyGeneration(key_id={self.key_id!r})"


class Keyring:
    """The chain of key generations in force (oldest first) and helpers to use them."""

    __slots__ = ("generations", "_bases")

    def __init__(self, generations: Sequence[KeyGeneration]) -> None:
        if not generations:
            raise SecretConfigError(f"no hay clave maestra configurada. {HOW_TO_SET}")
        self.generations = tuple(generations)
        self._bases: dict[str, tuple[PrekeyedHmacSha256, ...]] = {}

    @classmethod
    def from_secrets(cls, secrets_chain: Sequence[bytes]) -> Keyring:
        return cls([KeyGeneration(s) for s in secrets_chain])

    @property
    def key_id(self) -> str:
        """Id of the newest generation: stored beside every pseudonym made with this keyring."""
        return self.generations[-1].key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(g.key_id for g in self.generations)

    def derived_keys(self, purpose: Purpose | str) -> tuple[bytes, ...]:
        """The purpose's key of every generation, oldest first."""
        return tuple(g.derived_key(purpose) for g in self.generations)

    def fernet_key(self, purpose: Purpose | str) -> bytes:
        """A Fernet key (urlsafe base64) of the newest generation for this purpose."""
        return base64.urlsafe_b64encode(self.generations[-1].derived_key(purpose))

    def fernet_keys(self, purpose: Purpose | str) -> tuple[bytes, ...]:
        """Fernet keys of every generation, newest first (for MultiFernet decryption)."""
        return tuple(base64.urlsafe_b64encode(k) for k in reversed(self.derived_keys(purpose)))

    def hmac_bases(self, purpose: Purpose | str) -> tuple[PrekeyedHmacSha256, ...]:
        """Pre-keyed HMACs of every generation, oldest first (keying once makes tokenizing fast)."""
        label = str(purpose)
        if label not in self._bases:
            self._bases[label] = tuple(PrekeyedHmacSha256(k) for k in self.derived_keys(label))
        return self._bases[label]

    def extended(self, new_secret: bytes) -> Keyring:
        """This chain plus a new newest generation: the keyring after a rotation."""
        return Keyring([*self.generations, KeyGeneration(new_secret)])

    def __repr__(self) -> str:
        return f"Keyring(key_ids={self.key_ids!r})"


def load_keyring(settings: Any = None) -> Keyring:
    """The keyring configured in the environment (or in `settings` when it is a mapping)."""
    return Keyring.from_secrets(load_master_secrets(settings))


def keyring_from_settings(settings: Any = None) -> Keyring:
    """Alias of `load_keyring`, the name the Dagster secrets resource calls."""
    return load_keyring(settings)
