"""A per-thread cache of data keys, emptied at the start and end of every request.

It lets a history row or a row loaded without ``select_related('data_key')``
find its key without one query per value, while keeping unwrapped keys out of
memory once the request that needed them is over.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable

from django.core.signals import request_finished, request_started

from .models import DataKey

MAX_ENTRIES = 20_000
_local = threading.local()


def _entries() -> "OrderedDict[uuid.UUID, DataKey]":
    entries = getattr(_local, "entries", None)
    if entries is None:
        entries = _local.entries = OrderedDict()
    return entries


def remember(data_key: DataKey) -> DataKey:
    entries = _entries()
    entries[data_key.id] = data_key
    entries.move_to_end(data_key.id)
    while len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
    return data_key


def get(data_key_id: uuid.UUID) -> DataKey:
    """The data key with this id, from the cache or with one query."""
    entries = _entries()
    data_key = entries.get(data_key_id)
    if data_key is None:
        data_key = remember(DataKey.objects.get(pk=data_key_id))
    return data_key


def prefetch(data_key_ids: Iterable[uuid.UUID]) -> None:
    """Load the given data keys into the cache with one query."""
    entries = _entries()
    missing = {key_id for key_id in data_key_ids if key_id and key_id not in entries}
    if missing:
        for data_key in DataKey.objects.filter(pk__in=missing):
            remember(data_key)


def forget(data_key_id: uuid.UUID | None = None) -> None:
    if data_key_id is None:
        _entries().clear()
    else:
        _entries().pop(data_key_id, None)


def _clear(**_kwargs) -> None:
    forget()


request_started.connect(_clear, dispatch_uid="encryption-keycache-start")
request_finished.connect(_clear, dispatch_uid="encryption-keycache-finish")
