"""Helpers for django-simple-history: every service write records who and why.

Services never call ``.update()`` or plain ``bulk_create``/``bulk_update`` on a
tracked model; the bulk paths here write the history rows in the same
transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def _is_encrypted(model: type[models.Model], name: str) -> bool:
    from encryption.fields import EncryptedTextField

    return isinstance(model._meta.get_field(name), EncryptedTextField)


def stamp(instance: models.Model, *, user, reason: str) -> models.Model:
    """Set the acting user and the change reason for the next save()."""
    instance._history_user = user
    instance._change_reason = reason
    return instance


def save_with_history(
    instance: models.Model, *, user, reason: str, update_fields: Iterable[str] | None = None
) -> models.Model:
    stamp(instance, user=user, reason=reason)
    instance.save(update_fields=list(update_fields) if update_fields is not None else None)
    return instance


def bulk_create_tracked(
    objs: Sequence[models.Model], *, user, reason: str, batch_size: int = 500
) -> list[models.Model]:
    """bulk_create with one history row per object, in the same transaction."""
    if not objs:
        return []
    model = type(objs[0])
    return bulk_create_with_history(
        list(objs),
        model,
        batch_size=batch_size,
        default_user=user,
        default_change_reason=reason,
    )


def bulk_update_tracked(
    objs: Sequence[models.Model], fields: Sequence[str], *, user, reason: str, batch_size: int = 500
) -> int:
    if not objs:
        return 0
    model = type(objs[0])
    encrypted = [name for name in fields if _is_encrypted(model, name)]
    if encrypted:
        # bulk_update binds one value per column without the row, so it cannot
        # encrypt per row; save those rows one by one instead.
        raise ValueError(f"bulk_update_tracked cannot write encrypted fields {encrypted}")
    return bulk_update_with_history(
        list(objs),
        model,
        list(fields),
        batch_size=batch_size,
        default_user=user,
        default_change_reason=reason,
    )
