"""Key operations: crypto-shredding a data key, rewrapping data keys under a new
primary KEK, and full re-encryption with new data keys.

These run from management commands (``rotate_keys``) and from the erasure
service, never from a request. Only one rotation may run at a time; the
compare-and-swap updates below detect a second one and stop it.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from . import crypto, keycache
from .exceptions import DecryptionError, EncryptionError
from .fields import DATA_KEY_FIELD, REGISTRY, binding_for, row_id_attname
from .keyring import KeyRing, get_keyring
from .models import DataKey

Progress = Callable[[int], None] | None

#: How often one model's rows of a batch are re-read when a concurrent write
#: changed a value between reading and rewriting it.
MAX_PASSES = 5


class RotationConflict(EncryptionError):
    """Another process changed the data keys being rotated."""


@dataclass
class ReencryptResult:
    data_keys: int = 0
    values: int = 0
    finished: bool = True


def _db(field: models.Field, value):
    return field.get_db_prep_value(value, connection, prepared=False)


def _update_sql(table: str, assignments: list[str], conditions: list[str]) -> str:
    """``UPDATE table SET a = %s, ... WHERE c = %s AND ...`` with quoted column names.

    Only identifiers from model metadata are interpolated; values are parameters.
    """
    quote = connection.ops.quote_name
    sets = ", ".join(a if " " in a else f"{quote(a)} = %s" for a in assignments)
    wheres = " AND ".join(c if " " in c else f"{quote(c)} = %s" for c in conditions)
    return f"UPDATE {quote(table)} SET {sets} WHERE {wheres}"  # noqa: S608


def _executemany(sql: str, params: list[tuple]) -> int:
    """Run one statement for many rows; the number of rows it changed."""
    if not params:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount


# --- crypto-shredding ------------------------------------------------------


@transaction.atomic
def data_key_destroy(*, data_key: DataKey) -> DataKey:
    """Crypto-shred: destroy the data key, so every value under it is unreadable.

    Live and history rows alike raise ``DataKeyDestroyed`` from then on. The
    erasure service deletes the rows and purges their history as well; database
    free space, WAL and backups are covered in docs/keys.md.
    """
    if connection.vendor == "sqlite":
        # Overwrite the freed bytes of the wrapped key in the database file.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    now = timezone.now()
    DataKey.objects.filter(pk=data_key.pk).update(
        wrapped=None,
        kek_id="",
        previous_wrapped=None,
        previous_generation=None,
        previous_kek_id="",
        destroyed_at=now,
    )
    data_key.wrapped = None
    data_key.kek_id = ""
    data_key.previous_wrapped = None
    data_key.previous_generation = None
    data_key.previous_kek_id = ""
    data_key.destroyed_at = now
    data_key._ciphers = None
    keycache.forget(data_key.pk)
    return data_key


# --- rewrap under a new primary KEK -----------------------------------------


class _KekCiphers(dict):
    """AES-GCM ciphers of the key ring's KEKs, made once per run."""

    def __init__(self, keyring: KeyRing) -> None:
        super().__init__()
        self.keyring = keyring

    def __missing__(self, kek_id: str) -> AESGCM:
        cipher = self[kek_id] = AESGCM(self.keyring.kek(kek_id))
        return cipher


def _rewrap(kek_ciphers: _KekCiphers, *, data_key_id, generation, kek_id, wrapped) -> bytes:
    primary_id = kek_ciphers.keyring.primary_id
    dek = crypto.unwrap_with(
        kek_ciphers[kek_id],
        kek_id=kek_id,
        wrapped=bytes(wrapped),
        data_key_id=data_key_id,
        generation=generation,
    )
    return crypto.wrap_with(
        kek_ciphers[primary_id],
        kek_id=primary_id,
        dek=dek,
        data_key_id=data_key_id,
        generation=generation,
    )


def data_keys_rewrap(*, batch_size: int = 2000, progress: Progress = None) -> int:
    """Wrap every data key not yet under the primary KEK with the primary KEK.

    One unwrap and one wrap per data key and a batched UPDATE; the values
    themselves are not touched. Each batch commits on its own, so an
    interrupted run simply continues where it stopped. Returns the number of
    data keys rewrapped.
    """
    keyring = get_keyring()
    primary_id = keyring.primary_id
    kek_ciphers = _KekCiphers(keyring)
    pending = DataKey.objects.filter(destroyed_at__isnull=True).filter(
        ~Q(kek_id=primary_id) | (Q(previous_wrapped__isnull=False) & ~Q(previous_kek_id=primary_id))
    )
    opts = DataKey._meta
    sql = _update_sql(
        opts.db_table,
        ["kek_id", "wrapped", "previous_kek_id", "previous_wrapped", "rotated_at"],
        ["id", "kek_id", "previous_kek_id"],
    )
    pk_field, rotated_field = opts.pk, opts.get_field("rotated_at")
    done = 0
    last_id = None
    while True:
        page = pending.order_by("pk")
        if last_id is not None:
            page = page.filter(pk__gt=last_id)
        rows = list(
            page.values_list(
                "id",
                "generation",
                "kek_id",
                "wrapped",
                "previous_generation",
                "previous_kek_id",
                "previous_wrapped",
            )[:batch_size]
        )
        if not rows:
            return done
        now = _db(rotated_field, timezone.now())
        params = []
        for key_id, generation, kek_id, wrapped, prev_gen, prev_kek_id, prev_wrapped in rows:
            new_wrapped = bytes(wrapped)
            if kek_id != primary_id:
                new_wrapped = _rewrap(
                    kek_ciphers,
                    data_key_id=key_id,
                    generation=generation,
                    kek_id=kek_id,
                    wrapped=wrapped,
                )
            new_prev_kek_id, new_prev_wrapped = prev_kek_id, prev_wrapped
            if prev_wrapped is not None and prev_kek_id != primary_id:
                new_prev_kek_id = primary_id
                new_prev_wrapped = _rewrap(
                    kek_ciphers,
                    data_key_id=key_id,
                    generation=prev_gen,
                    kek_id=prev_kek_id,
                    wrapped=prev_wrapped,
                )
            params.append(
                (
                    primary_id,
                    new_wrapped,
                    new_prev_kek_id,
                    None if new_prev_wrapped is None else bytes(new_prev_wrapped),
                    now,
                    _db(pk_field, key_id),
                    kek_id,
                    prev_kek_id,
                )
            )
        with transaction.atomic():
            changed = _executemany(sql, params)
        if changed != len(params):
            raise RotationConflict(
                f"{len(params) - changed} data keys changed while being rewrapped; is another "
                "rotate_keys running? Run it again when it has finished."
            )
        for key_id, *_rest in rows:
            keycache.forget(key_id)
        done += len(rows)
        last_id = rows[-1][0]
        if progress:
            progress(done)


# --- full re-encryption -----------------------------------------------------


def _start_generations(keys: list[DataKey], keyring: KeyRing, kek_ciphers: _KekCiphers) -> None:
    """Give each data key that is not already in progress a new DEK generation.

    The old generation is kept in ``previous_*`` until every value has moved,
    so values on either generation stay readable throughout.
    """
    opts = DataKey._meta
    quote = connection.ops.quote_name
    sql = _update_sql(
        opts.db_table,
        [
            "generation",
            "kek_id",
            "wrapped",
            "origin_kek_id",
            "previous_generation",
            "previous_kek_id",
            "previous_wrapped",
            "rotated_at",
        ],
        ["id", "generation", f"{quote('previous_wrapped')} IS NULL"],
    )
    now = timezone.now()
    primary_id = keyring.primary_id
    params = []
    for key in keys:
        if key.previous_wrapped is not None:
            continue  # interrupted earlier: continue that generation
        dek = crypto.new_data_key()
        new_generation = key.generation + 1
        wrapped = crypto.wrap_with(
            kek_ciphers[primary_id],
            kek_id=primary_id,
            dek=dek,
            data_key_id=key.pk,
            generation=new_generation,
        )
        params.append(
            (
                new_generation,
                primary_id,
                wrapped,
                primary_id,
                key.generation,
                key.kek_id,
                bytes(key.wrapped),
                _db(opts.get_field("rotated_at"), now),
                _db(opts.pk, key.pk),
                key.generation,
            )
        )
        key.previous_generation, key.previous_kek_id = key.generation, key.kek_id
        key.previous_wrapped = key.wrapped
        key.generation, key.kek_id, key.wrapped = new_generation, primary_id, wrapped
        key.origin_kek_id, key.rotated_at = primary_id, now
        key._ciphers = {new_generation: AESGCM(dek)}
    with transaction.atomic():
        changed = _executemany(sql, params)
    if changed != len(params):
        raise RotationConflict(
            "data keys changed while a new generation was being started; is another "
            "rotate_keys running? Run it again when it has finished."
        )


def _finish_generations(keys: list[DataKey]) -> None:
    """Forget the previous generation once no value uses it any more."""
    opts = DataKey._meta
    quote = connection.ops.quote_name
    sql = _update_sql(
        opts.db_table,
        [
            f"{quote('previous_generation')} = NULL",
            f"{quote('previous_kek_id')} = ''",
            f"{quote('previous_wrapped')} = NULL",
        ],
        ["id", "generation"],
    )
    with transaction.atomic():
        changed = _executemany(sql, [(_db(opts.pk, key.pk), key.generation) for key in keys])
    if changed != len(keys):
        raise RotationConflict("data keys changed while being re-encrypted; run rotate_keys again")
    for key in keys:
        keycache.forget(key.pk)


def _row_columns(model: type[models.Model]) -> list[str]:
    """pk, live row id (history models only) and data key id of a model's rows."""
    pk_attname, row_attname = model._meta.pk.attname, row_id_attname(model)
    key_attname = model._meta.get_field(DATA_KEY_FIELD).attname
    if row_attname == pk_attname:
        return [pk_attname, key_attname]
    return [pk_attname, row_attname, key_attname]


def _with_row_id(model: type[models.Model]):
    """Turn a row of ``_row_columns`` into (pk, row id, data key id, *values)."""
    if row_id_attname(model) == model._meta.pk.attname:
        return lambda row: (row[0], *row)
    return lambda row: row


def _value_location(model, pk, field_name: str) -> str:
    return f"{model._meta.db_table}/{pk}/{field_name}"


def _rewrite_model(
    model: type[models.Model],
    fields: list,
    keys_by_id: dict[uuid.UUID, DataKey],
    budget: int | None,
) -> int:
    """Move every value of ``model`` under the given keys to their current generation.

    Writes with a compare-and-swap UPDATE per row: deliberately no history
    row, because the content does not change, only its ciphertext. A row
    changed by someone else in between is read again. Returns the number of
    rows rewritten (at most ``budget`` when one is given).
    """
    opts = model._meta
    key_attname = opts.get_field(DATA_KEY_FIELD).attname
    names = [field.name for field in fields]
    columns = {field.name: field.column for field in fields}
    not_null = Q()
    for name in names:
        not_null |= Q(**{f"{name}__isnull": False})
    rows_query = model._base_manager.filter(
        not_null, **{f"{key_attname}__in": list(keys_by_id)}
    ).values_list(*_row_columns(model), *names)
    written = 0
    for _pass in range(MAX_PASSES):
        groups: dict[tuple[str, ...], list[tuple]] = {}
        for pk, row_id, key_id, *values in map(_with_row_id(model), rows_query.all()):
            key = keys_by_id[key_id]
            changed: dict[str, tuple[bytes, bytes]] = {}
            for name, value in zip(names, values, strict=True):
                if value is None:
                    continue
                location = _value_location(model, pk, name)
                value_key_id, generation = crypto.read_header(value)
                if value_key_id != key.pk:
                    raise DecryptionError(f"{location}: value belongs to another data key")
                if generation == key.generation:
                    continue  # already moved (a resumed or repeated run)
                if generation != key.previous_generation:
                    raise DecryptionError(f"{location}: data key has no generation {generation}")
                bound = binding_for(model, name, row_id)
                try:
                    plaintext = crypto.decrypt_value(
                        cipher=key.cipher(generation), value=value, binding=bound
                    )
                except DecryptionError as error:
                    raise DecryptionError(f"{location}: {error}") from None
                new_value = crypto.encrypt_value(
                    cipher=key.cipher(),
                    data_key_id=key.pk,
                    generation=key.generation,
                    plaintext=plaintext,
                    binding=bound,
                )
                changed[name] = (bytes(value), new_value)
            if changed:
                group = tuple(changed)
                groups.setdefault(group, []).append(
                    tuple(changed[name][1] for name in group)
                    + (_db(opts.pk, pk),)
                    + tuple(changed[name][0] for name in group)
                )
        if not groups:
            return written
        batch_written = 0
        with transaction.atomic():
            for group, params in groups.items():
                if budget is not None:
                    params = params[: max(budget - written - batch_written, 0)]
                sql = _update_sql(
                    opts.db_table,
                    [columns[name] for name in group],
                    [opts.pk.column] + [columns[name] for name in group],
                )
                batch_written += _executemany(sql, params)
        written += batch_written
        if budget is not None and written >= budget:
            return written
    raise RotationConflict(
        f"{opts.db_table}: values kept changing during re-encryption; run rotate_keys again"
    )


def _pending_reencryption(primary_id: str):
    return DataKey.objects.filter(destroyed_at__isnull=True).filter(
        Q(previous_wrapped__isnull=False) | ~Q(origin_kek_id=primary_id)
    )


def reencryption_pending() -> int:
    """How many data keys ``reencrypt_all`` would still replace."""
    return _pending_reencryption(get_keyring().primary_id).count()


def reencrypt_all(
    *, batch_size: int = 200, progress: Progress = None, stop_after: int | None = None
) -> ReencryptResult:
    """Replace every data key made under a KEK other than the primary, and rewrite
    every encrypted value (live and history tables) under the new key.

    Per batch of data keys: start a new generation (the old one stays in
    ``previous_*``), rewrite every value still on the old generation, then
    forget the old generation. Resumable: a data key with ``previous_*`` set is
    continued, and values already on the new generation are skipped by their
    header. Idempotent: a second run finds nothing left to do. ``stop_after``
    stops after that many rows were rewritten, mid-batch, as an interruption
    would (tests use it).
    """
    keyring = get_keyring()
    kek_ciphers = _KekCiphers(keyring)
    pending = _pending_reencryption(keyring.primary_id)
    result = ReencryptResult()
    while True:
        keys = list(pending.order_by("pk")[:batch_size])
        if not keys:
            return result
        _start_generations(keys, keyring, kek_ciphers)
        keys_by_id = {key.pk: key for key in keys}
        for model, fields in REGISTRY.items():
            budget = None if stop_after is None else stop_after - result.values
            result.values += _rewrite_model(model, fields, keys_by_id, budget)
            if stop_after is not None and result.values >= stop_after:
                result.finished = False
                return result
        _finish_generations(keys)
        result.data_keys += len(keys)
        if progress:
            progress(result.data_keys)


# --- verification -----------------------------------------------------------


@dataclass
class VerifyReport:
    values: int = 0
    rows: int = 0
    data_keys: int = 0
    shredded: int = 0
    #: Values still in an older value format (they read; rewritten when next written).
    older_format: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


#: Checks of data kept outside the encrypted columns (a document's file chunks), run
#: by ``verify_all`` after the columns: apps above register them in ``ready()``.
#: Each adds its counts to ``report.tables`` and its problems to ``report.failures``.
_VERIFICATIONS: list[Callable[[VerifyReport], None]] = []


def register_verification(check: Callable[[VerifyReport], None]) -> None:
    if check not in _VERIFICATIONS:
        _VERIFICATIONS.append(check)


class _KeyLookup(dict):
    """Data keys by id for one verification run, loaded a page at a time."""

    def load(self, key_ids: Iterable) -> None:
        missing = {key_id for key_id in key_ids if key_id is not None and key_id not in self}
        if missing:
            for key in DataKey.objects.filter(pk__in=missing):
                self[key.pk] = key
            for key_id in missing - set(self):
                self[key_id] = None


def verify_all(*, batch_size: int = 2000) -> VerifyReport:
    """Decrypt every encrypted value of every registered table, live and history.

    Every failure is collected as ``table/row-id/field: reason``. Values under a
    destroyed (crypto-shredded) data key are counted apart: unreadable by design.
    """
    report = VerifyReport()
    keys = _KeyLookup()
    kek_failures: dict[uuid.UUID, str] = {}
    # Every data key that is not destroyed must unwrap, used or not.
    for key in DataKey.objects.filter(destroyed_at__isnull=True).iterator(chunk_size=batch_size):
        report.data_keys += 1
        generations = [key.generation]
        if key.previous_wrapped is not None:
            generations.append(key.previous_generation)
        for generation in generations:
            try:
                key.cipher(generation)
            except EncryptionError as error:
                kek_failures[key.pk] = str(error)
                report.failures.append(f"{DataKey._meta.db_table}/{key.pk}/wrapped: {error}")
    for model, fields in REGISTRY.items():
        table = model._meta.db_table
        names = [field.name for field in fields]
        rows = model._base_manager.order_by().values_list(*_row_columns(model), *names)
        page: list[tuple] = []
        count = 0
        for row in rows.iterator(chunk_size=batch_size):
            page.append(_with_row_id(model)(row))
            if len(page) >= batch_size:
                count += _verify_page(model, names, page, keys, kek_failures, report)
                page = []
        count += _verify_page(model, names, page, keys, kek_failures, report)
        report.tables[table] = count
    for check in _VERIFICATIONS:
        check(report)
    return report


def _verify_page(model, names, page, keys: _KeyLookup, kek_failures, report) -> int:
    keys.load(row[2] for row in page)
    values = 0
    for pk, row_id, key_id, *row_values in page:
        report.rows += 1
        for name, value in zip(names, row_values, strict=True):
            if value is None:
                continue
            values += 1
            location = _value_location(model, pk, name)
            key = keys.get(key_id)
            if key_id is None or key is None:
                report.failures.append(f"{location}: data key {key_id} does not exist")
                continue
            if key.destroyed_at is not None:
                report.shredded += 1
                continue
            if key.pk in kek_failures:
                report.failures.append(f"{location}: {kek_failures[key.pk]}")
                continue
            try:
                value_key_id, generation = crypto.read_header(value)
                if value_key_id != key.pk:
                    raise DecryptionError("value belongs to another data key")
                if value[0] != crypto.VALUE_VERSION:
                    report.older_format += 1
                crypto.decrypt_value(
                    cipher=key.cipher(generation),
                    value=value,
                    binding=binding_for(model, name, row_id),
                )
            except EncryptionError as error:
                report.failures.append(f"{location}: {error}")
    report.values += values
    return values
