"""Benchmark of field encryption.

    python -m bench.encryption --n 10000 --db sqlite|postgres --json FILE

In one run, on a throw-away test database:

- encrypt+save and load+decrypt of N notes with our EncryptedTextField, with a
  plain TextField and with django-fernet-encrypted-fields (same model, same data),
  both one save() per row and bulk_create, reported as ratios to plain;
- rewrap of N participants' data keys under a new primary key (participants/s);
- full re-encryption of N participants with their history (participants/s);
- name search by decrypt-and-match over N participants.

Each timing is the best of ``--repeat`` runs (loads: of ``--repeat`` x
LOADS_PER_ROUND), the three variants interleaved, with garbage collected before
each; the ratio of the medians is reported beside the ratio of the best.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from datetime import date

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/stegvis_bench"


def _setup(db: str) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


#: Loads of each variant per round (see bench_notes).
LOADS_PER_ROUND = 5


def _timed(function) -> float:
    # The garbage of the previous run is collected before the clock starts,
    # not by chance inside the next variant's timing.
    gc.collect()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _database_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _texts(n: int) -> list[str]:
    words = (
        "Deltagaren kom i tid och arbetade i caféet hela passet. Vi pratade om "
        "nästa steg mot praktik och om stöd vid sjukfrånvaro. Mål: öka till sex timmar."
    ).split()
    return [" ".join(words[: 20 + n % len(words)]) + f" ({n})" for n in range(n)]


def bench_notes(n: int, repeat: int, data_keys) -> dict:
    from django.db import transaction

    from bench.models import EncryptedNote, FernetNote, PlainNote
    from encryption import keycache

    texts = _texts(n)
    models = {"plain": PlainNote, "encrypted": EncryptedNote, "fernet": FernetNote}
    # Derive the Fernet key (PBKDF2, once per process) before timing.
    FernetNote._meta.get_field("text").f  # noqa: B018

    def notes(model):
        return [
            model(
                data_key=data_keys[i % len(data_keys)],
                date=date(2026, 1, 5),
                kind="observation",
                text=text,
            )
            for i, text in enumerate(texts)
        ]

    def save_each(model):
        objects = notes(model)
        with transaction.atomic():
            for note in objects:
                note.save(force_insert=True)

    def save_bulk(model):
        objects = notes(model)
        with transaction.atomic():
            model.objects.bulk_create(objects, batch_size=500)

    def load(model):
        keycache.forget()
        loaded = list(model.objects.select_related("data_key"))
        total = sum(len(note.text) for note in loaded)
        assert len(loaded) == n and total > 0

    timings: dict[str, dict[str, list[float]]] = {
        case: {name: [] for name in models} for case in ("save", "bulk_create", "load")
    }
    for _round in range(repeat):
        for name, model in models.items():
            model.objects.all().delete()
            keycache.forget()
            timings["save"][name].append(_timed(lambda model=model: save_each(model)))
        # Loading is quick and the ratio the issue asks about: LOADS_PER_ROUND
        # loads of each variant, interleaved, so a busy moment of the machine
        # falls on all three alike.
        for _load in range(LOADS_PER_ROUND):
            for name, model in models.items():
                timings["load"][name].append(_timed(lambda model=model: load(model)))
        for name, model in models.items():
            model.objects.all().delete()
            keycache.forget()
            timings["bulk_create"][name].append(_timed(lambda model=model: save_bulk(model)))
    result = {}
    for case, by_model in timings.items():
        best = {name: min(values) for name, values in by_model.items()}
        result[case] = {
            "seconds_best": best,
            "seconds_median": {name: statistics.median(v) for name, v in by_model.items()},
            "encrypted_vs_plain": best["encrypted"] / best["plain"],
            "encrypted_vs_plain_median": statistics.median(by_model["encrypted"])
            / statistics.median(by_model["plain"]),
            "fernet_vs_plain": best["fernet"] / best["plain"],
            "encrypted_vs_fernet": best["encrypted"] / best["fernet"],
        }
    return result


def bench_field_only(n: int, repeat: int, data_keys) -> dict:
    """The field's own cost, without the database: encrypt and decrypt n values."""
    from django.db import connection

    from bench.models import EncryptedNote, FernetNote
    from encryption import keycache
    from encryption.fields import Sealed

    texts = _texts(n)
    ours = EncryptedNote._meta.get_field("text")
    fernet = FernetNote._meta.get_field("text")
    notes = [
        EncryptedNote(data_key=data_keys[i % len(data_keys)], text=text)
        for i, text in enumerate(texts)
    ]

    def ours_encrypt():
        for note, text in zip(notes, texts, strict=True):
            note.__dict__["text"] = text
        return [ours.pre_save(note, True) for note in notes]

    sealed = [bytes(value) for value in ours_encrypt()]

    def ours_decrypt():
        keycache.forget()
        for note, value in zip(notes, sealed, strict=True):
            note.__dict__["text"] = Sealed(value)
        return [note.text for note in notes]

    def fernet_encrypt():
        return [fernet.get_prep_value(text) for text in texts]

    tokens = fernet_encrypt()

    def fernet_decrypt():
        return [fernet.from_db_value(token, None, connection) for token in tokens]

    assert ours_decrypt() == texts and fernet_decrypt() == texts
    cases = {
        "encrypt": {"encrypted": ours_encrypt, "fernet": fernet_encrypt},
        "decrypt": {"encrypted": ours_decrypt, "fernet": fernet_decrypt},
    }
    result = {}
    for case, functions in cases.items():
        best = {name: min(_timed(f) for _round in range(repeat)) for name, f in functions.items()}
        result[case] = {
            "seconds_best": best,
            "encrypted_vs_fernet": best["encrypted"] / best["fernet"],
        }
    return result


def bench_keys(n: int, organisation, user, settings_keys: str) -> dict:
    from django.conf import settings
    from stdnum import luhn

    from demo.bulk import participant_bulk_create
    from encryption import keycache
    from encryption.keyring import new_key_entry
    from encryption.search import decrypt_match
    from encryption.services import data_keys_rewrap, reencrypt_all, verify_all
    from participants.models import Participant
    from participants.services import ParticipantInput

    records = []
    for i in range(n):
        stem = f"{50 + i % 40:02d}{1 + (i // 40) % 12:02d}{10 + (i // 480) % 18:02d}{i % 1000:03d}"
        records.append(
            ParticipantInput(
                given_name=("Anna", "Åsa", "Erik", "Mohammed", "Sara")[i % 5],
                family_name=f"Svensson{i}",
                personal_identity_number=f"19{stem}{luhn.calc_check_digit(stem)}",
                gender="woman",
                birth_year=1950 + i % 40,
                labour_market_status="unemployed",
                phone=f"070-{i:07d}",
                support_needs="Behöver korta pass och tydliga instruktioner.",
            )
        )
    created = _timed(
        lambda: participant_bulk_create(
            organisation=organisation, records=records, acting_user=user
        )
    )
    keycache.forget()
    search_seconds = []
    for _round in range(3):
        start = time.perf_counter()
        found = decrypt_match(Participant.objects.all(), ["given_name", "family_name"], "åsa svens")
        search_seconds.append(time.perf_counter() - start)
    assert len(found) == n // 5

    settings.FIELD_ENCRYPTION_KEYS = f"{new_key_entry('bench-2')},{settings_keys}"
    keycache.forget()
    rewrap_seconds = _timed(lambda: data_keys_rewrap(batch_size=2000))
    reencrypt = {}
    reencrypt_seconds = _timed(lambda: reencrypt.update(vars(reencrypt_all(batch_size=500))))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS.split(",")[0]
    verify_start = time.perf_counter()
    report = verify_all()
    verify_seconds = time.perf_counter() - verify_start
    assert not report.failures, report.failures[:5]
    return {
        "participants": n,
        "participant_bulk_create_seconds": created,
        "search_seconds_best": min(search_seconds),
        "rewrap_seconds": rewrap_seconds,
        "rewrap_participants_per_second": n / rewrap_seconds,
        "reencrypt_seconds": reencrypt_seconds,
        "reencrypt_participants_per_second": n / reencrypt_seconds,
        "reencrypt_rows_rewritten": reencrypt["values"],
        "reencrypt_rows_per_second": reencrypt["values"] / reencrypt_seconds,
        "verify_seconds": verify_seconds,
        "verify_values": report.values,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    _setup(args.db)

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import Organisation, User
    from encryption.models import DataKey

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organisation = Organisation.objects.create(
            kind=Organisation.Kind.ENTERPRISE, name="Bench ASF"
        )
        user = User.objects.create(username="bench")
        data_keys = [DataKey.new() for _ in range(max(args.n // 10, 1))]
        DataKey.objects.bulk_create(data_keys)
        notes = bench_notes(args.n, args.repeat, data_keys)
        field_only = bench_field_only(args.n, args.repeat, data_keys)
        keys = bench_keys(args.n, organisation, user, settings.FIELD_ENCRYPTION_KEYS)
        results = {
            "n": args.n,
            "db": _database_version(connection),
            "python": platform.python_version(),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform()},
            "notes": notes,
            "field_only": field_only,
            "keys": keys,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    text = json.dumps(results, indent=2)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
