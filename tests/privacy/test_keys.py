from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet

from etl.defs.privacy.keys import (
    ENV_SECRET_KEY,
    ENV_SECRET_KEY_FILE,
    Keyring,
    Purpose,
    SecretConfigError,
    decode_secret,
    generate_secret,
    key_id_of,
    keyring_from_settings,
    load_keyring,
    load_master_secret,
    load_master_secrets,
)

RAW = bytes(range(40))


def _forms(raw: bytes) -> list[str]:
    return [raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]


def _assert_secret_absent(message: str, raw: bytes, text: str) -> None:
    for form in [text, *_forms(raw)]:
        assert form not in message
        assert form[:12] not in message


def test_generated_secret_is_32_random_bytes_in_base64() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert len(decode_secret(first)) == 32


@pytest.mark.parametrize("text", [RAW.hex(), RAW.hex().upper(), base64.b64encode(RAW).decode(),
                                  base64.urlsafe_b64encode(RAW).decode().rstrip("="), "hex:" + RAW.hex(),
                                  "base64:" + base64.b64encode(RAW).decode()])
def test_secret_accepted_as_hex_or_base64(text: str) -> None:
    assert load_master_secret({ENV_SECRET_KEY: text}) == RAW


def test_secret_from_file_with_rotation_chain(tmp_path: Path) -> None:
    older, newer = secrets.token_bytes(32), secrets.token_bytes(32)
    key_file = tmp_path / "master.key"
    key_file.write_text(f"# generaciones, la más antigua primero\n{older.hex()}\n{base64.b64encode(newer).decode()}\n")
    env = {ENV_SECRET_KEY_FILE: str(key_file)}
    assert load_master_secrets(env) == (older, newer)
    assert load_master_secret(env) == newer
    keyring = load_keyring(env)
    assert keyring.key_ids == (key_id_of(older), key_id_of(newer))
    assert keyring.key_id == key_id_of(newer)


def test_missing_secret_says_how_to_set_one() -> None:
    with pytest.raises(SecretConfigError) as error:
        load_master_secret({})
    message = str(error.value)
    assert ENV_SECRET_KEY in message and ENV_SECRET_KEY_FILE in message and "generate_secret" in message


def test_unreadable_or_empty_key_file(tmp_path: Path) -> None:
    with pytest.raises(SecretConfigError, match="no se pudo leer"):
        load_master_secret({ENV_SECRET_KEY_FILE: str(tmp_path / "missing.key")})
    empty = tmp_path / "empty.key"
    empty.write_text("# nada\n")
    with pytest.raises(SecretConfigError, match="vacío"):
        load_master_secret({ENV_SECRET_KEY_FILE: str(empty)})


def test_both_sources_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretConfigError, match="no ambas"):
        load_master_secret({ENV_SECRET_KEY: RAW.hex(), ENV_SECRET_KEY_FILE: str(tmp_path / "k")})


@pytest.mark.parametrize("raw", [bytes(range(16)), bytes(range(31))])
def test_short_secret_is_refused_without_echoing_it(raw: bytes) -> None:
    for text in _forms(raw):
        with pytest.raises(SecretConfigError) as error:
            load_master_secret({ENV_SECRET_KEY: text})
        assert "al menos 32" in str(error.value)
        _assert_secret_absent(str(error.value), raw, text)


def test_malformed_secret_is_refused_without_echoing_it() -> None:
    text = "this is not base64 at all!!" * 3
    with pytest.raises(SecretConfigError) as error:
        load_master_secret({ENV_SECRET_KEY: text})
    assert text[:12] not in str(error.value) and "n.º 1" in str(error.value)


def test_settings_object_means_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SECRET_KEY, RAW.hex())
    monkeypatch.delenv(ENV_SECRET_KEY_FILE, raising=False)

    class Settings:  # stands for etl.config.Settings, which holds no secret
        home = Path("/nonexistent")

    assert keyring_from_settings(Settings()).key_id == key_id_of(RAW)
    assert load_keyring().key_id == key_id_of(RAW)


def test_key_id_is_short_hex_and_identifies_the_secret() -> None:
    key_id = key_id_of(RAW)
    assert re.fullmatch(r"[0-9a-f]{8}", key_id)
    assert key_id_of(RAW) == key_id and key_id_of(bytes(range(1, 41))) != key_id


def test_derived_keys_differ_by_purpose_and_secret() -> None:
    ring, other = Keyring.from_secrets([RAW]), Keyring.from_secrets([bytes(range(1, 41))])
    keys = {ring.derived_keys(p)[0] for p in Purpose}
    assert len(keys) == len(Purpose)
    assert all(len(k) == 32 for k in keys)
    assert ring.derived_keys(Purpose.MATCH) != other.derived_keys(Purpose.MATCH)
    assert RAW not in keys


def test_repr_shows_no_key_material() -> None:
    ring = Keyring.from_secrets([RAW])
    text = repr(ring) + repr(ring.generations[0])
    _assert_secret_absent(text, RAW, RAW.hex())
    for purpose in Purpose:
        assert ring.derived_keys(purpose)[0].hex()[:12] not in text
    assert ring.key_id in text


def test_fernet_keys_encrypt_and_survive_rotation() -> None:
    old = Keyring.from_secrets([RAW])
    token = Fernet(old.fernet_key(Purpose.LANDING)).encrypt(b"extracto")
    new = old.extended(secrets.token_bytes(32))
    assert new.fernet_key(Purpose.LANDING) != old.fernet_key(Purpose.LANDING)
    rotated = MultiFernet([Fernet(k) for k in new.fernet_keys(Purpose.LANDING)])
    assert rotated.decrypt(token) == b"extracto"
