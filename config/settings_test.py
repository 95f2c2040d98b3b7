"""Settings for the test suite: the same as development, with fast hashing and
fresh random keys for every run (never written to disk)."""

import base64
import os
import secrets

os.environ.setdefault("DJANGO_ENV", "test")


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


os.environ.setdefault("FIELD_ENCRYPTION_KEYS", f"test-1:{_random_key()}")
os.environ.setdefault("BLIND_INDEX_KEY", _random_key())
if "STEGVIS_DOCUMENTS_ROOT" not in os.environ:
    # Documents the tests upload go to a throw-away folder, never var/.
    import tempfile

    os.environ["STEGVIS_DOCUMENTS_ROOT"] = tempfile.mkdtemp(prefix="stegvis-documents-")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
ENCRYPTION_DEV_KEY_FILE = None
AXES_ENABLED = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

if DATABASES["default"]["ENGINE"] == "config.sqlite3":  # noqa: F405
    # An in-memory test database, as Django gives its own SQLite backend; said
    # explicitly because pytest-django recognises SQLite by Django's engine
    # name and would otherwise give each xdist worker a file beside the
    # development database.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
