"""The key ring's development file, and what production recognises as not a key."""

import os
import random
import secrets
import stat

import pytest

from encryption.keyring import (
    DEVELOPMENT_KEY_ID,
    NON_PRODUCTION_KEY_ID,
    _development_keys,
    key_weakness,
    parse_keys,
)


def test_the_development_key_file_and_its_folder_are_private(tmp_path):
    path = tmp_path / "keys" / "development-keys.json"
    previous = os.umask(0o022)
    try:
        field_keys, blind_index_key = _development_keys(path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert field_keys.startswith(f"{DEVELOPMENT_KEY_ID}:")
    parse_keys(field_keys, blind_index_key)


@pytest.mark.parametrize("key_id", [DEVELOPMENT_KEY_ID, "test-1", "dev", "DEV_2", "development.3"])
def test_development_and_test_key_ids_are_recognised(key_id):
    assert NON_PRODUCTION_KEY_ID.match(key_id)


@pytest.mark.parametrize("key_id", ["k1a2b3c4d", "2026-01", "prod-1", "bench-1", "devices-2026"])
def test_production_key_ids_are_not_taken_for_development_ones(key_id):
    assert not NON_PRODUCTION_KEY_ID.match(key_id)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (bytes(32), "all its bytes are equal"),
        (b"\xff" * 32, "all its bytes are equal"),
        (b"abc" * 10 + b"ab", "it repeats a 3-byte pattern"),
        (b"0123456789abcdef" * 2, "it repeats a 16-byte pattern"),
        (bytes(range(32)), "its bytes follow a simple sequence"),
        (bytes(range(0, 256, 8)), "its bytes follow a simple sequence"),
        (bytes(random.Random(7).choices(b"ABCDEFG", k=32)), "it has only 7 different"),
    ],
)
def test_keys_nobody_generated_are_recognised(raw, reason):
    assert (key_weakness(raw) or "").startswith(reason)


def test_generated_keys_pass():
    for _attempt in range(1000):
        assert key_weakness(secrets.token_bytes(32)) is None
