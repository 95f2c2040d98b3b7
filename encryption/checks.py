"""System checks: the key ring must load, or nothing starts."""

from django.core import checks

from .exceptions import KeyRingError
from .keyring import get_keyring


@checks.register(checks.Tags.security)
def check_keyring(app_configs=None, **kwargs):
    try:
        get_keyring()
    except KeyRingError as error:
        return [checks.Critical(f"Field encryption key ring: {error}", id="encryption.C001")]
    return []
