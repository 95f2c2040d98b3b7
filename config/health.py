"""Health endpoint for load balancers: checks the database and the key ring,
says nothing about the data."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from encryption.crypto import new_data_key, unwrap, wrap
from encryption.keyring import get_keyring


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _keyring_ok() -> bool:
    import uuid

    keyring = get_keyring()
    probe_id, dek = uuid.uuid4(), new_data_key()
    wrapped = wrap(
        kek=keyring.primary, kek_id=keyring.primary_id, dek=dek, data_key_id=probe_id, generation=1
    )
    return (
        unwrap(
            kek=keyring.primary,
            kek_id=keyring.primary_id,
            wrapped=wrapped,
            data_key_id=probe_id,
            generation=1,
        )
        == dek
    )


@never_cache
@require_GET
def health(request):
    checks = {}
    # Each check raises on failure; the error is logged by Django, and the
    # answer says only which check failed.
    for name, check in (("database", _database_ok), ("keys", _keyring_ok)):
        try:
            checks[name] = "ok" if check() else "failed"
        except Exception:  # noqa: BLE001 - reported as "failed", logged, never hidden
            import logging

            logging.getLogger("stegvis.health").exception("health check %s failed", name)
            checks[name] = "failed"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failed", "checks": checks}, status=200 if healthy else 503
    )
