"""Search in encrypted text by decrypting within a set the user may already see.

Encrypted names cannot be searched by the database. At the size of an
enterprise (hundreds, at most a few thousand participants) decrypting the
candidate names and matching in Python is fast enough (bench/encryption.py
measures 10,000). The caller passes a queryset that is already scoped to what
the user may see; nothing outside it is decrypted.
"""

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from . import crypto
from .exceptions import DecryptionError, EncryptionError
from .fields import (
    DATA_KEY_FIELD,
    REGISTRY,
    binding_prefix,
    row_id_attname,
    row_id_bytes,
)
from .models import UNWRAP_COLUMNS, DataKey, unwrap_data_key

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
    _check_encrypted(queryset.model, fields)
    model = queryset.model
    attnames = list(
        dict.fromkeys(
            [
                model._meta.pk.attname,
                row_id_attname(model),
                model._meta.get_field(DATA_KEY_FIELD).attname,
                *fields,
            ]
        )
    )
    # Chunked: a search may cover a whole register; only one chunk is held.
    return [
        values[0]
        for values, _key_values, texts in _decrypted(
            queryset, fields, attnames, chunk_size=CHUNK_SIZE
        )
        if all(word in normalise_for_search(" ".join(texts)) for word in words)
    ]


def _check_encrypted(model: type[models.Model], fields: Sequence[str]) -> None:
    encrypted = {field.name for field in REGISTRY.get(model, ())}
    unknown = [name for name in fields if name not in encrypted]
    if unknown:
        raise ValueError(f"{model._meta.label} has no encrypted fields {unknown}")


def _decrypted(
    queryset: models.QuerySet,
    fields: Sequence[str],
    attnames: list[str],
    *,
    chunk_size: int | None = None,
) -> Iterator[tuple[tuple, tuple, list[str]]]:
    """(column values, data key columns, decrypted ``fields``) of every row: one query.

    The data key's columns come joined to the row, so thousands of rows need no
    query per key; each key is unwrapped here and dropped with its row, never
    put in the request's keycache. Fails closed: a value that does not
    decrypt, or belongs to another data key, raises.
    """
    model = queryset.model
    key_columns = [f"{DATA_KEY_FIELD}__{name}" for name in UNWRAP_COLUMNS]
    key_id_index = attnames.index(model._meta.get_field(DATA_KEY_FIELD).attname)
    row_index = attnames.index(row_id_attname(model))
    prefixes = [(binding_prefix(model, name)[1], attnames.index(name)) for name in fields]
    decrypt_value, read_header = crypto.decrypt_value, crypto.read_header_bytes
    kek_ciphers: dict = {}
    width = len(attnames)
    rows = queryset.values_list(*attnames, *key_columns)
    if chunk_size:
        rows = rows.iterator(chunk_size=chunk_size)
    for columns in rows:
        values, key_values = columns[:width], columns[width:]
        key_id = values[key_id_index]
        key_bytes = None if key_id is None else key_id.bytes
        ciphers: dict[int, AESGCM] = {}
        row_id = row_id_bytes(values[row_index], model, "id")
        texts = []
        for prefix, index in prefixes:
            value = values[index]
            if value is None:
                texts.append("")
                continue
            value_key_bytes, generation = read_header(value)
            if value_key_bytes != key_bytes:
                raise DecryptionError(
                    f"{crypto.describe(prefix + row_id)}: another data key, or none"
                )
            cipher = ciphers.get(generation)
            if cipher is None:
                cipher = ciphers[generation] = AESGCM(
                    unwrap_data_key(key_id, key_values, generation, kek_ciphers=kek_ciphers)
                )
            bound = prefix + row_id
            value.plaintext = decrypt_value(cipher=cipher, value=value, binding=bound)
            # Authenticated for this row and field: the descriptor shows it as is.
            value.owner = bound
            texts.append(value.plaintext)
        yield values, key_values, texts


@dataclass(slots=True)
class DecryptedRow:
    """One row of :func:`decrypt_rows`: its decrypted values, and the row itself on demand."""

    texts: tuple[str, ...]
    values: tuple
    key_columns: tuple  # the data key's UNWRAP_COLUMNS
    loader: "_RowLoader"

    @property
    def pk(self):
        return self.values[self.loader.pk_index]

    def instance(self) -> models.Model:
        """The model instance, as the queryset would have built it (decrypted values kept)."""
        return self.loader.instance(self)


class _RowLoader:
    def __init__(self, queryset: models.QuerySet, attnames: list[str], decrypted: list[int]):
        self.model = queryset.model
        self.db = queryset.db
        self.attnames = attnames
        self.decrypted = decrypted
        self.pk_index = attnames.index(self.model._meta.pk.attname)
        self.key_field = self.model._meta.get_field(DATA_KEY_FIELD)
        self.key_index = attnames.index(self.key_field.attname)

    def instance(self, row: DecryptedRow) -> models.Model:
        instance = self.model.from_db(self.db, self.attnames, row.values)
        for index in self.decrypted:
            # The constructor turns a decrypted Sealed value into plain text (a
            # value moved to a new row); this is its own row: keep the ciphertext
            # with the plaintext it authenticated to, as a lazy read would.
            if row.values[index] is not None:
                instance.__dict__[self.attnames[index]] = row.values[index]
        key_id = row.values[self.key_index]
        if key_id is not None:
            data_key = DataKey.from_db(self.db, UNWRAP_COLUMNS, row.key_columns)
            data_key.id = key_id
            self.key_field.set_cached_value(instance, data_key)
        return instance


def _loaded_fields(queryset: models.QuerySet) -> list:
    """The concrete fields the queryset loads (its only()/defer() applied)."""
    names, defer = queryset.query.deferred_loading
    fields = queryset.model._meta.concrete_fields
    if defer:
        return [field for field in fields if field.name not in names]
    return [field for field in fields if field.name in names or field.primary_key]


def decrypt_rows(queryset: models.QuerySet, fields: Sequence[str]) -> list[DecryptedRow]:
    """Every row of ``queryset`` with ``fields`` decrypted: one query, no model instance.

    For sorting a set by encrypted values (names) and then showing one page of
    it: building a model instance per row cost more than decrypting (~30 ms for
    1,500 participants, docs/performance.md). The row's columns and its data
    key come in the same query; ``DecryptedRow.instance()`` builds the instance
    of a row that is shown, with its data key and the decrypted values in place
    (other encrypted columns stay ciphertext until read). No unwrapped key
    outlives the call: a shown row's key is unwrapped again when another of its
    fields is read. Fails closed: a value that does not decrypt raises.
    """
    model = queryset.model
    _check_encrypted(model, fields)
    attnames = [field.attname for field in _loaded_fields(queryset)]
    missing = [name for name in fields if name not in attnames]
    if missing:
        raise ValueError(f"the queryset defers the fields to decrypt: {missing}")
    loader = _RowLoader(queryset, attnames, [attnames.index(name) for name in fields])
    rows = [
        DecryptedRow(tuple(texts), values, key_values, loader)
        # Unordered: the caller sorts by the decrypted values.
        for values, key_values, texts in _decrypted(queryset.order_by(), fields, attnames)
    ]
    return rows


__all__ = [
    "DecryptedRow",
    "EncryptionError",
    "decrypt_match",
    "decrypt_rows",
    "normalise_for_search",
]
