"""A per-thread cache of data keys, emptied at the start and end of every request.

It lets a history row or a row loaded without ``select_related('data_key')``
find its key without one query per value, while keeping unwrapped keys out of
memory once the request that needed them is over.

It also lets the many copies of one data key that ``select_related('data_key')``
makes (one model instance per row) share one unwrapped cipher: see
:func:`cipher`.
"""

import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Iterable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


class _WeakRegistry(dict):
    """``{data key id.int: entry}``; an entry goes when the data key it names does.

    An entry is ``(weak reference to a DataKey, generation, wrapped, kek_id,
    cipher)``: the instance that unwrapped the cipher, and the state it
    unwrapped that generation's cipher from. ``weakref.WeakValueDictionary`` in
    effect, but read with a plain ``dict.get`` and compared item by item (C),
    without its Python ``get`` or the holder's attributes: :func:`cipher` reads
    it for every row. The cipher lives as long as the instance holding it.
    """

    def put(self, key: int, data_key: DataKey, generation: int, found: AESGCM) -> None:
        registry_ref = weakref.ref(self)  # the callback must not keep the registry alive

        def drop(reference):
            registry = registry_ref()
            if registry is not None:
                entry = registry.get(key)
                if entry is not None and entry[0] is reference:
                    del registry[key]

        kek_id, wrapped = _wrap_state(data_key, generation) or (None, None)
        self[key] = (weakref.ref(data_key, drop), generation, wrapped, kek_id, found)


def _unwrapped() -> _WeakRegistry:
    """Live data key instances with an unwrapped cipher, by ``id.int``.

    Keyed by the id's int rather than the UUID: this is looked up for every
    row read, and ``UUID.__hash__`` is Python code.
    """
    try:
        return _local.unwrapped
    except AttributeError:
        unwrapped = _local.unwrapped = _WeakRegistry()
        return unwrapped


def _wrap_state(data_key: DataKey, generation: int) -> tuple | None:
    """What the DEK of one generation is unwrapped from: (KEK id, wrapped bytes)."""
    if generation == data_key.generation:
        return data_key.kek_id, data_key.wrapped
    if generation == data_key.previous_generation and data_key.previous_wrapped is not None:
        return data_key.previous_kek_id, data_key.previous_wrapped
    return None


def cipher(data_key: DataKey, generation: int) -> AESGCM:
    """``data_key.cipher(generation)``, unwrapping each data key once, not once per row.

    ``select_related('data_key')`` gives every row its own ``DataKey`` instance,
    so 10 notes of one participant would unwrap the same DEK 10 times. Here an
    instance reuses the cipher of another live instance of the same data key
    (remembered weakly, so the cache never keeps a DEK in memory longer than an
    instance holding it would) when both were read in the same state: same
    generation, same KEK id and the same wrapped bytes, not destroyed. Anything
    else unwraps as ``DataKey.cipher`` does, and fails as it does.
    """
    if data_key.destroyed_at is None:
        ciphers = data_key._ciphers
        if ciphers:
            found = ciphers.get(generation)
            if found is not None:
                return found
        # Read for every row: the registry straight from the thread's state,
        # looked up by the id's int (UUID.__hash__ is Python code), and the
        # state compared with what the entry recorded, without the instance
        # that holds the cipher.
        registry = getattr(_local, "unwrapped", None)
        entry = registry.get(data_key.id.int) if registry is not None else None
        if entry is not None:
            if (
                entry[1] == generation == data_key.generation
                and entry[2] == data_key.wrapped
                and entry[3] == data_key.kek_id
            ):
                return entry[4]
            found = _from_twin(data_key, generation, entry[0]())
            if found is not None:
                return found
    found = data_key.cipher(generation)  # unwraps, or raises
    _unwrapped().put(data_key.id.int, data_key, generation, found)
    return found


def _from_twin(data_key: DataKey, generation: int, twin: DataKey | None) -> AESGCM | None:
    """The cipher of an older generation (a re-encryption under way) from a live twin."""
    if twin is None or twin is data_key or twin.destroyed_at is not None or not twin._ciphers:
        return None
    found = twin._ciphers.get(generation)
    state = _wrap_state(data_key, generation)
    if found is None or state is None or state != _wrap_state(twin, generation):
        return None
    if data_key._ciphers is None:
        data_key._ciphers = {}
    data_key._ciphers[generation] = found
    return found


def forget(data_key_id: uuid.UUID | None = None) -> None:
    if data_key_id is None:
        _entries().clear()
        _unwrapped().clear()
    else:
        _entries().pop(data_key_id, None)
        _unwrapped().pop(uuid.UUID(str(data_key_id)).int, None)


def _clear(**_kwargs) -> None:
    forget()


request_started.connect(_clear, dispatch_uid="encryption-keycache-start")
request_finished.connect(_clear, dispatch_uid="encryption-keycache-finish")
