"""The portal's own key, and the keyed hashes it stores instead of tokens, e-mails and IPs.

`OBSERVATORIO_PORTAL_SECRET` (base64 or hex, 32+ bytes) when set; otherwise a key derived with
HKDF-SHA-256 from the newest master secret under the purpose "portal", so a deployment needs no
extra secret and a portal key exposed says nothing about the pseudonymization keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from etl.config import ENV_PORTAL_SECRET

_HKDF_SALT = b"observatorio/hkdf/v1"
_HKDF_INFO = b"observatorio/portal/v1"


def portal_key() -> bytes:
    """Read at call time (tests and the CLI change the environment)."""
    from etl.defs.privacy.keys import SecretConfigError, decode_secret, load_master_secret

    configured = (os.environ.get(ENV_PORTAL_SECRET) or "").strip()
    if configured:
        try:
            return decode_secret(configured)
        except SecretConfigError:
            raise SecretConfigError(
                f"{ENV_PORTAL_SECRET} debe ser base64 o hex de al menos 32 bytes (o quítela: el portal "
                "deriva su clave de la clave maestra)."
            ) from None
    master = load_master_secret()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(master)


class Hasher:
    """Keyed hashes, one domain per use, so a hash of one kind never matches one of another."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, domain: str, value: str) -> str:
        return hmac.new(self._key, f"{domain}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def session_id(self, token: str) -> str:
        return self.digest("session", token)

    def account(self, email: str) -> str:
        return self.digest("account", email.strip().lower())

    def ip(self, address: str) -> str:
        # IPv4 has only 2^32 values: an unkeyed hash would be reversed by enumeration.
        return self.digest("ip", address)[:32]

    def cookie_signature(self, token: str) -> str:
        raw = hmac.new(self._key, f"cookie\x00{token}".encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def sign_cookie(self, token: str) -> str:
        return f"{token}.{self.cookie_signature(token)}"

    def unsign_cookie(self, value: str) -> str | None:
        token, _, signature = value.partition(".")
        if not token or not signature:
            return None
        return token if hmac.compare_digest(signature, self.cookie_signature(token)) else None
