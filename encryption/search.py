"""Search in encrypted text by decrypting within a set the user may already see.

Encrypted names cannot be searched by the database. At the size of an
enterprise (hundreds, at most a few thousand participants) decrypting the
candidate names and matching in Python is fast enough (bench/encryption.py
measures 10,000). The caller passes a queryset that is already scoped to what
the user may see; nothing outside it is decrypted.
"""

import unicodedata
from collections.abc import Iterable, Sequence

from django.db import models

from . import crypto
from .exceptions import DecryptionError, EncryptionError
from .fields import DATA_KEY_FIELD, REGISTRY, binding_for, row_id_attname
from .models import DataKey

CHUNK_SIZE = 1000


def normalise_for_search(text: str) -> str:
    """Lower-case, accents removed ("Åsa Öberg" -> "asa oberg"), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def decrypt_match(queryset: models.QuerySet, fields: Sequence[str], term: str) -> list:
    """Primary keys of the rows of ``queryset`` whose ``fields`` match ``term``.

    Every word of the term must occur in one of the fields (case- and
    accent-insensitive), so "anna sv" finds Anna Svensson. The order of the
    queryset is kept. Fails closed: a value that does not decrypt raises.
    """
    words = normalise_for_search(term).split()
    if not words:
        return []
    model = queryset.model
    encrypted = {field.name for field in REGISTRY.get(model, ())}
    unknown = [name for name in fields if name not in encrypted]
    if unknown:
        raise ValueError(f"{model._meta.label} has no encrypted fields {unknown}")
    pk_attname, row_attname = model._meta.pk.attname, row_id_attname(model)
    key_attname = model._meta.get_field(DATA_KEY_FIELD).attname
    rows = queryset.values_list(pk_attname, row_attname, key_attname, *fields)
    matches = []
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(row)
        if len(chunk) >= CHUNK_SIZE:
            matches.extend(_match_chunk(model, fields, words, chunk))
            chunk = []
    matches.extend(_match_chunk(model, fields, words, chunk))
    return matches


def _match_chunk(model, fields: Sequence[str], words: list[str], chunk: list[tuple]) -> Iterable:
    if not chunk:
        return []
    # A local lookup, not the request's keycache: a search over thousands of
    # rows should not leave thousands of unwrapped keys behind.
    keys = {key.pk: key for key in DataKey.objects.filter(pk__in={row[2] for row in chunk})}
    found = []
    for pk, row_id, key_id, *values in chunk:
        key = keys.get(key_id)
        if key is None:
            raise DecryptionError(f"{model._meta.label} {pk}: data key {key_id} does not exist")
        texts = []
        for name, value in zip(fields, values, strict=True):
            if value is None:
                continue
            value_key_id, generation = crypto.read_header(value)
            if value_key_id != key.pk:
                raise DecryptionError(f"{model._meta.label} {pk}.{name}: another data key")
            texts.append(
                crypto.decrypt_value(
                    cipher=key.cipher(generation),
                    value=value,
                    binding=binding_for(model, name, row_id),
                )
            )
        haystack = normalise_for_search(" ".join(texts))
        if all(word in haystack for word in words):
            found.append(pk)
    return found


__all__ = ["EncryptionError", "decrypt_match", "normalise_for_search"]
