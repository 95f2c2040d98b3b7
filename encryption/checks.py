"""System checks: the key ring must load, or nothing starts; and (deploy) the
encrypted data does not sit in a SQLite file beside the keys."""

from django.conf import settings
from django.core import checks

from .exceptions import KeyRingError
from .keyring import get_keyring

SQLITE_ENGINES = {"django.db.backends.sqlite3", "config.sqlite3"}


@checks.register(checks.Tags.security)
def check_keyring(app_configs=None, **kwargs):
    try:
        get_keyring()
    except KeyRingError as error:
        return [checks.Critical(f"Field encryption key ring: {error}", id="encryption.C001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_production_database(app_configs=None, **kwargs):
    """Encryption at rest protects database files, dumps and backups kept apart from
    the keys; a SQLite file lives on the application server, beside them."""
    return [
        checks.Warning(
            f"Database {alias!r} is SQLite.",
            hint=(
                "Production runs on PostgreSQL (docs/deployment.md): a SQLite file sits on "
                "the application server next to the key ring, serves one node only and has "
                "no access control of its own."
            ),
            id="encryption.W001",
        )
        for alias, database in settings.DATABASES.items()
        if database["ENGINE"] in SQLITE_ENGINES
    ]
