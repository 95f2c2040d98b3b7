"""Password hashing and validation as configured for production (config.settings)."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

import config.settings as production


def test_argon2_is_the_production_hasher():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password("a long enough passphrase")
        assert encoded.startswith("argon2$argon2id$")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password("a long enough passphrase", encoded)
        assert not check_password("a long enough passphrasf", encoded)


@pytest.fixture
def validators():
    with translation.override("en"):
        yield get_password_validators(production.AUTH_PASSWORD_VALIDATORS)


def test_password_shorter_than_ten_is_refused(validators):
    with pytest.raises(ValidationError, match="at least 10 characters"):
        validate_password("Xq7#pL2!v", password_validators=validators)


def test_common_password_is_refused(validators):
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password123", password_validators=validators)


def test_good_password_passes(validators):
    validate_password("kanelbulle-sommar-2026-Ljusnan", password_validators=validators)
