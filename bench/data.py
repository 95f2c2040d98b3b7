"""The benchmark data set: built through the bulk paths (demo.bulk), cached per scale.

``ensure_dataset(scale, db)`` returns the data set's manifest (users, the unit
and week of the attendance grid, a participant, …), building it first when the
cache is missing or stale:

- SQLite: ``var/bench/sqlite-<N>.sqlite3``; PostgreSQL: database ``stegvis_bench_<N>``.
- A marker row (table ``bench_marker``, raw SQL: no model) holds the manifest,
  the data-format version and a digest of the migrations on disk; another
  version or scale drops the database and builds it again, new migrations are
  applied to the cached data set.
- The keys live in ``var/bench/keys.json`` (git-ignored, never committed) and
  are put into the environment before Django starts (``configure``), so cached
  ciphertext stays readable between runs.

Shape, for N participants (deterministic for a seed; dates relative to the build
day): ``max(3, N // 2000)`` enterprises (at most 60), units of about 15 running
placements each with one supervisor, a manager and an auditor per enterprise,
agencies with case officers carrying about 40 placements each; one placement per
participant in every state (referred 8 %, planned 7 %, active 45 %, paused 5 %,
ended 35 %), 40–80 days of attendance per started placement, notes every 10–24
days, goals, assessments every 45 days (seven scored areas), reviews, exits with
both follow-ups, and about ten access events per participant. Every row gets its
history row, as in production.
"""

import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

DATA_VERSION = 3
SEED = 2026
BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
KEYS_FILE = BENCH_DIR / "keys.json"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
CHUNK = 500
RUNNING_PER_UNIT = 15
PLACEMENTS_PER_CASE_OFFICER = 40
#: SQLite page cache of the build's connection (2 GiB; the bench machines have 23 GB).
BUILD_CACHE_KIB = 2 * 1024 * 1024
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (throw-away bench users)


# --- configuration: keys and database, before Django starts ------------------


def bench_keys() -> dict:
    """The bench-only key ring, generated once into var/bench/keys.json."""
    if KEYS_FILE.exists():
        return json.loads(KEYS_FILE.read_text())
    import base64
    import secrets

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    keys = {
        "FIELD_ENCRYPTION_KEYS": f"bench-1:{b64(secrets.token_bytes(32))}",
        "BLIND_INDEX_KEY": b64(secrets.token_bytes(32)),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    KEYS_FILE.write_text(json.dumps(keys, indent=2) + "\n")
    KEYS_FILE.chmod(0o600)
    return keys


def database_url(scale: int, db: str, sqlite_path: str | None = None) -> str:
    if db == "sqlite":
        path = Path(sqlite_path) if sqlite_path else BENCH_DIR / f"sqlite-{scale}.sqlite3"
        return f"sqlite:///{path.resolve()}"
    # BENCH_POSTGRES_PREFIX: a database name of one's own where several people share a server.
    return f"{POSTGRES_SERVER}/{os.environ.get('BENCH_POSTGRES_PREFIX', 'stegvis_bench')}_{scale}"


def configure(scale: int, db: str, sqlite_path: str | None = None) -> None:
    """Point Django at the bench database with the bench keys, then set it up."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    keys = bench_keys()
    os.environ["FIELD_ENCRYPTION_KEYS"] = keys["FIELD_ENCRYPTION_KEYS"]
    os.environ["BLIND_INDEX_KEY"] = keys["BLIND_INDEX_KEY"]
    os.environ["DATABASE_URL"] = database_url(scale, db, sqlite_path)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # The test profile: DEBUG off, no generated key file; the same middleware,
    # sessions, cache and encryption as production (see docs/performance.md).
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django

    django.setup()


# --- the marker ------------------------------------------------------------------

MARKER_TABLE = "bench_marker"


def _migrations_digest() -> str:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def read_marker() -> dict | None:
    from django.db import DatabaseError, connection

    try:
        if MARKER_TABLE not in connection.introspection.table_names():
            return None
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE name = 'manifest'")  # noqa: S608
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return json.loads(row[0]) if row else None


def _write_marker(manifest: dict) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name varchar(32) PRIMARY KEY, value text)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (name, value) VALUES ('manifest', %s)",  # noqa: S608
            [json.dumps(manifest)],
        )


def _fresh_database(db: str) -> None:
    """Drop the bench database (file or PostgreSQL database) and create it empty."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    name = settings.DATABASES["default"]["NAME"]
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def ensure_dataset(scale: int, db: str, *, rebuild: bool = False, log=print) -> dict:
    """The manifest of a current data set at this scale, building it if needed."""
    marker = None if rebuild else read_marker()
    digest = _migrations_digest()
    if (
        marker
        and marker.get("version") == DATA_VERSION
        and marker.get("scale") == scale
        and marker.get("complete")
    ):
        if marker.get("migrations") != digest:
            # Same data shape, newer schema: bring the cached data set forward the
            # way production is (a new index or column), instead of rebuilding
            # it for an hour at 100,000. A change to the data's shape bumps
            # DATA_VERSION, which does rebuild.
            from django.core.management import call_command

            log(f"bench data: applying new migrations to the cached {db} data set")
            call_command("migrate", verbosity=0, interactive=False)
            marker["migrations"] = digest
            _write_marker(marker)
            analyze()
        elif not _has_statistics():
            # Built before the bench gathered SQLite statistics.
            log(f"bench data: gathering planner statistics for the cached {db} data set")
            analyze()
        log(f"bench data: reusing {db} data set of {scale} participants built {marker['built_on']}")
        return marker
    if marker:
        log("bench data: the cached data set is stale (version or scale); rebuilding")
    _fresh_database(db)
    from django.core.management import call_command

    log(f"bench data: migrating an empty {db} database")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    builder = DatasetBuilder(scale=scale, seed=SEED, log=log)
    manifest = builder.build()
    manifest.update(
        version=DATA_VERSION,
        scale=scale,
        db=db,
        migrations=digest,
        build_seconds=round(time.perf_counter() - started, 1),
        complete=True,
    )
    _write_marker(manifest)
    analyze()
    log(f"bench data: built in {manifest['build_seconds']:.0f} s; counts {manifest['counts']}")
    return manifest


def _has_statistics() -> bool:
    from django.db import connection

    if connection.vendor != "sqlite":
        return True  # every PostgreSQL data set was analysed when it was built
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return cursor.fetchone() is not None


def analyze(table: str = "") -> None:
    """``ANALYZE`` one table or all: planner statistics for freshly loaded rows, as
    autovacuum would gather them.

    The PostgreSQL on the bench machines runs with autovacuum off, so a data
    set loaded in bulk was never analysed and the planner estimated 36 rows
    for an enterprise of 1,488 participants (docs/performance.md). A deployed
    SQLite gathers its statistics at connection close (config/sqlite3), table
    by table as requests use them; the test client never closes, so the
    bench gathers them here, sampled with the same ``analysis_limit``.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            from config.sqlite3.base import ANALYSIS_LIMIT

            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute(f"ANALYZE {table}".strip())


# --- the builder -----------------------------------------------------------------

STATUSES = (("referred", 8), ("planned", 7), ("active", 45), ("paused", 5), ("ended", 35))
PROGRAMMES = (
    ("work_training", 40),
    ("enhanced_work_training", 15),
    ("vocational_rehabilitation", 20),
    ("internship", 10),
    ("wage_subsidy", 5),
    ("esf_project", 10),
)
SCHEDULES = ((("12345", 4), 20), (("12345", 6), 15), (("1234", 5), 25), (("123", 4), 15))
GENDERS = (("woman", 44), ("man", 51), ("non_binary", 2), ("not_stated", 3))
EDUCATION = (("isced_0_2", 36), ("isced_3_4", 44), ("isced_5_8", 12), ("unknown", 8))
LABOUR = (
    ("long_term_unemployed", 50),
    ("unemployed", 20),
    ("inactive", 25),
    ("employed", 5),
)
OUTCOMES = (
    ("employed", 15),
    ("employed_subsidised", 15),
    ("studies", 12),
    ("job_seeking", 20),
    ("other_programme", 12),
    ("sick_leave", 12),
    ("unknown", 8),
)
TRADES = ("cafe", "second_hand", "carpentry", "gardening", "cleaning", "warehouse")
GIVEN = (
    "Anna Eva Maria Karin Sara Åsa Lena Emma Amina Fatima Leila Zahra Erik Lars Karl "
    "Johan Anders Per Mohammed Ahmed Ali Omar Dawit Yusuf Olle Björn Sven Nils Ida Elin"
).split()
FAMILY = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
    "Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson "
    "Magnusson Lindström Mohamed Haile Karimi Yilmaz Nowak Rahimi Tesfay Hosseini"
).split()
MUNICIPALITIES = ("Falun", "Borlänge", "Mora", "Ludvika", "Avesta", "Leksand", "Rättvik")
NOTE_TEXTS = (
    "Arbetade jämnt hela passet och tog egna initiativ.",
    "Trött under eftermiddagen, behövde extra paus.",
    "Avstämningssamtal: trivs med uppgifterna, vill pröva kassan.",
    "Har nu klarat full planerad tid tre veckor i rad.",
    "Samarbetade bra med kollegorna i packningen.",
)
GOAL_TEXTS = (
    "Komma i tid varje arbetsdag under en månad.",
    "Öka arbetstiden med fem timmar i veckan.",
    "Skriva ett CV och söka tre jobb.",
    "Hantera kassan självständigt en hel dag.",
)
SUPPORT = ("", "", "Behöver korta pauser och tydliga instruktioner.", "Ryggbesvär; inga lyft.")


def _weighted(rng: Random, table):
    return rng.choices([value for value, _w in table], weights=[w for _v, w in table])[0]


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Europe/Stockholm"))


def _scheduled_days(first: date, last: date, weekdays: str) -> list[date]:
    days, day = [], first
    while day <= last:
        if str(day.isoweekday()) in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def _start_for(last: date, weekdays: str, count: int) -> date:
    """The day that leaves ``count`` scheduled days up to and including ``last``."""
    day, seen = last, 0
    while True:
        if str(day.isoweekday()) in weekdays:
            seen += 1
            if seen == count:
                return day
        day -= timedelta(days=1)


@dataclass
class Enterprise:
    organisation: object
    manager: object
    units: list
    supervisors: dict  # unit id -> supervisor user
    participants: int
    running: int = 0


@dataclass
class DatasetBuilder:
    scale: int
    seed: int
    log: object = print
    counts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        from django.utils import timezone

        self.rng = Random(self.seed)  # noqa: S311 (deterministic bench data, no secrets)
        self.today = timezone.localdate()
        self.yesterday = self.today - timedelta(days=1)
        # The grid week: the last complete Monday–Sunday before the build day.
        self.grid_week = self.today - timedelta(days=self.today.weekday() + 7)
        self.identity_serial = 0

    # --- users and organisations ------------------------------------------
    def _users(self, usernames: list[str]):
        from django.contrib.auth.hashers import make_password

        from accounts.models import User

        password = make_password(BENCH_PASSWORD)
        users = [
            User(username=name, password=password, email=f"{name}@example.org")
            for name in usernames
        ]
        User.objects.bulk_create(users, batch_size=1000)
        return users

    def _memberships(self, pairs, role: str, acting_user) -> None:
        from accounts.models import Membership
        from audit.history import bulk_create_tracked

        # Seeded in force (approved), as the demo data.
        approved_at = datetime(2020, 1, 1, tzinfo=UTC)

        bulk_create_tracked(
            [
                Membership(
                    user=user,
                    organisation=organisation,
                    role=role,
                    active_from=date(2020, 1, 1),
                    approved_at=approved_at,
                )
                for user, organisation in pairs
            ],
            user=acting_user,
            reason="bench data: membership",
        )

    def build_organisations(self) -> None:
        from accounts.models import Organisation, Role, Unit
        from casework.services import instrument_ensure_default

        n = self.scale
        enterprise_count = min(60, max(3, n // 2000))
        (self.admin,) = self._users(["bench.admin"])
        shares = [self.rng.uniform(0.6, 1.4) for _ in range(enterprise_count)]
        sizes = [max(1, round(n * share / sum(shares))) for share in shares]
        sizes[0] += n - sum(sizes)
        funder = Organisation.objects.create(kind=Organisation.Kind.FUNDER, name="Bench Region")
        (self.analyst,) = self._users(["bench.analyst"])
        self._memberships([(self.analyst, funder)], Role.ANALYST, self.admin)
        self.enterprises: list[Enterprise] = []
        for index, size in enumerate(sizes):
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.ENTERPRISE,
                name=f"Bench ASF {index:02d}",
                municipality=MUNICIPALITIES[index % len(MUNICIPALITIES)],
                county="Dalarna",
            )
            organisation.statistics_shared_with.add(funder)
            unit_count = max(2, math.ceil(size * 0.5 / RUNNING_PER_UNIT))
            units = Unit.objects.bulk_create(
                [
                    Unit(organisation=organisation, name=f"Enhet {u:03d}", trade=TRADES[u % 6])
                    for u in range(unit_count)
                ]
            )
            manager, auditor = self._users([f"e{index:02d}.manager", f"e{index:02d}.auditor"])
            supervisors = self._users(
                [f"e{index:02d}.u{u:03d}.supervisor" for u in range(unit_count)]
            )
            self._memberships([(manager, organisation)], Role.MANAGER, self.admin)
            self._memberships([(auditor, organisation)], Role.AUDITOR, self.admin)
            self._memberships([(s, organisation) for s in supervisors], Role.SUPERVISOR, self.admin)
            self.enterprises.append(
                Enterprise(
                    organisation=organisation,
                    manager=manager,
                    units=units,
                    supervisors={unit.pk: s for unit, s in zip(units, supervisors, strict=True)},
                    participants=size,
                )
            )
        agency_count = max(2, enterprise_count // 3)
        officers_each = max(1, math.ceil(n * 0.6 / PLACEMENTS_PER_CASE_OFFICER / agency_count))
        self.agencies = []
        for index in range(agency_count):
            agency = Organisation.objects.create(
                kind=Organisation.Kind.AGENCY, name=f"Bench Agency {index:02d}", county="Dalarna"
            )
            officers = self._users(
                [f"a{index:02d}.o{o:03d}.case_officer" for o in range(officers_each)]
            )
            self._memberships([(o, agency) for o in officers], Role.CASE_OFFICER, self.admin)
            self.agencies.append((agency, officers))
        self.instrument = instrument_ensure_default(acting_user=self.admin)
        self.counts.update(
            enterprises=enterprise_count,
            units=sum(len(e.units) for e in self.enterprises),
            agencies=agency_count,
            case_officers=agency_count * officers_each,
        )

    # --- participants and their casework -----------------------------------
    def _identity_number(self, birth_year: int) -> str:
        from stdnum import luhn

        self.identity_serial += 1
        serial = self.identity_serial
        # Unique by construction: month, day and serial digits come from the counter.
        month = 1 + serial % 12
        day = 1 + (serial // 12) % 28
        tail = (serial // 336) % 1000
        stem = f"{birth_year % 100:02d}{month:02d}{day:02d}{tail:03d}"
        return f"{birth_year}{month:02d}{day:02d}-{tail:03d}{luhn.calc_check_digit(stem)}"

    def _participant_input(self):
        from participants.services import ParticipantInput

        rng = self.rng
        gender = _weighted(rng, GENDERS)
        birth_year = self.today.year - rng.randint(18, 64)
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        foreign = rng.random() < 0.35
        return ParticipantInput(
            given_name=given,
            family_name=family,
            personal_identity_number=self._identity_number(birth_year),
            gender=gender,
            birth_year=birth_year,
            labour_market_status=_weighted(rng, LABOUR),
            education_level=_weighted(rng, EDUCATION),
            municipality=rng.choice(MUNICIPALITIES),
            phone=f"070-174 06 {rng.randint(5, 99):02d}",
            email=f"deltagare{self.identity_serial}@example.org",
            address=f"Storgatan {rng.randint(1, 80)}\n791 {rng.randint(30, 99)} Falun",
            emergency_contact=f"{rng.choice(GIVEN)} {family}, 070-174 06 {rng.randint(5, 99):02d}",
            support_needs=rng.choice(SUPPORT),
            has_disability=rng.random() < 0.35,
            foreign_background=foreign,
            newly_arrived=foreign and rng.random() < 0.35,
        )

    def _placement(self, participant, enterprise: Enterprise, status: str):
        from placements.models import Placement

        rng = self.rng
        agency, officer = None, None
        if rng.random() < 0.6:
            agency, officers = rng.choice(self.agencies)
            officer = rng.choice(officers)
        weekdays, daily = _weighted(rng, SCHEDULES)
        placement = Placement(
            participant=participant,
            data_key_id=participant.data_key_id,
            programme=_weighted(rng, PROGRAMMES),
            referring_organisation=agency,
            case_officer=officer,
            hours_per_week=Decimal(daily * len(weekdays)),
            weekdays=weekdays,
            status=status,
        )
        placement.bench_last = None
        if status == "referred":
            placement.referred_on = self.today - timedelta(days=rng.randint(1, 30))
            placement.proposed_start = self.today + timedelta(days=rng.randint(7, 35))
            return placement
        # Running placements fill the units evenly (about 15 each), so the grid
        # of any unit shows a realistic crew.
        if status in ("active", "paused"):
            placement.unit = enterprise.units[enterprise.running % len(enterprise.units)]
            enterprise.running += 1
        else:
            placement.unit = rng.choice(enterprise.units)
        placement.plan_goals = rng.choice(GOAL_TEXTS)
        placement.plan_tasks = "Kassa, servering och disk."
        placement.plan_support = "Handledare på plats varje dag."
        if status == "planned":
            placement.referred_on = self.today - timedelta(days=rng.randint(10, 45))
            placement.proposed_start = self.today + timedelta(days=rng.randint(3, 30))
            return placement
        if status == "active":
            last = self.yesterday
        elif status == "paused":
            last = self.today - timedelta(days=rng.randint(7, 40))
        else:
            last = self.yesterday - timedelta(days=rng.randint(0, 400))
        start = _start_for(last, weekdays, rng.randint(40, 80))
        placement.start_date = start
        placement.referred_on = start - timedelta(days=rng.randint(7, 40))
        placement.proposed_start = start
        placement.planned_end = start + timedelta(days=rng.choice((183, 274, 365)))
        if status == "ended":
            placement.actual_end = last
            placement.planned_end = max(placement.planned_end, last)
        elif placement.planned_end < self.today:
            placement.planned_end = self.today + timedelta(days=rng.randint(14, 90))
        if officer is not None:
            placement.plan_status = Placement.PlanStatus.APPROVED
            placement.plan_submitted_at = _at(start - timedelta(days=6), 9)
            placement.plan_decided_at = _at(start - timedelta(days=3), 14)
            placement.plan_decided_by = officer
        placement.bench_last = last
        return placement

    def _attendance(self, placement) -> list:
        from placements.services import AttendanceEntry

        rng = self.rng
        daily = placement.daily_hours
        half = (daily / 2).quantize(Decimal("0.5"))
        entries = []
        for day in _scheduled_days(placement.start_date, placement.bench_last, placement.weekdays):
            roll = rng.random()
            reason, attended = "", daily
            if roll < 0.08:
                reason, attended = "sick", Decimal(0)
            elif roll < 0.10:
                reason, attended = "valid_leave", Decimal(0)
            elif roll < 0.11:
                reason, attended = "invalid", Decimal(0)
            elif roll < 0.18:
                attended = half
            entries.append(
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=day,
                    attended_hours=attended,
                    absence_reason=reason,
                    planned_hours=daily,
                    note="Kom sent, bussen var försenad." if roll > 0.995 else "",
                )
            )
        return entries

    def build_participants(self) -> None:
        from django.db import transaction

        done, started = 0, time.perf_counter()
        for enterprise in self.enterprises:
            statuses = [_weighted(self.rng, STATUSES) for _ in range(enterprise.participants)]
            for offset in range(0, len(statuses), CHUNK):
                with transaction.atomic():
                    self._build_chunk(enterprise, statuses[offset : offset + CHUNK])
                done += len(statuses[offset : offset + CHUNK])
                elapsed = time.perf_counter() - started
                self.log(
                    f"bench data: {done}/{self.scale} participants "
                    f"({elapsed:.0f} s, about {elapsed / done * (self.scale - done):.0f} s to go)"
                )

    def _build_chunk(self, enterprise: Enterprise, statuses: list[str]) -> None:
        from audit.models import AccessEvent
        from casework.services import DEFAULT_AREAS
        from demo.bulk import (
            AssessmentInput,
            ExitInput,
            FollowUpFinding,
            GoalInput,
            ProgressNoteInput,
            ReviewInput,
            assessment_bulk_create,
            attendance_bulk_create,
            exit_bulk_create,
            goal_bulk_create,
            participant_bulk_create,
            placement_bulk_create,
            progress_note_bulk_create,
            review_bulk_create,
        )

        rng, manager = self.rng, enterprise.manager
        participants = participant_bulk_create(
            organisation=enterprise.organisation,
            records=[self._participant_input() for _ in statuses],
            acting_user=manager,
        )
        placements = [
            self._placement(participant, enterprise, status)
            for participant, status in zip(participants, statuses, strict=True)
        ]
        supervisors = {
            p.pk: [enterprise.supervisors[p.unit.pk]] for p in placements if p.start_date
        }
        placement_bulk_create(placements=placements, supervisors=supervisors, acting_user=manager)
        attendance, notes, goals, assessments, exits = [], {}, [], [], []
        reviews: dict = {}
        for placement in placements:
            if placement.status != "referred":
                for text in rng.sample(GOAL_TEXTS, 2):
                    goals.append(
                        GoalInput(
                            placement=placement,
                            text=text,
                            target_date=(placement.start_date or placement.proposed_start)
                            + timedelta(days=rng.randint(60, 180)),
                        )
                    )
            last = placement.bench_last
            if last is None:
                continue
            attendance.extend(self._attendance(placement))
            supervisor = enterprise.supervisors[placement.unit.pk]
            day = placement.start_date + timedelta(days=rng.randint(1, 10))
            while day <= last:
                author = manager if rng.random() < 0.2 else supervisor
                shared = placement.case_officer_id is not None and rng.random() < 0.4
                notes.setdefault(author, []).append(
                    ProgressNoteInput(
                        placement=placement,
                        on=day,
                        kind=rng.choice(("observation", "conversation", "milestone")),
                        text=rng.choice(NOTE_TEXTS),
                        visibility="shared" if shared else "internal",
                    )
                )
                day += timedelta(days=rng.randint(10, 24))
            day, kind = placement.start_date, "intake"
            while day <= last:
                assessments.append(
                    AssessmentInput(
                        placement=placement,
                        on=day,
                        kind=kind,
                        scores={area.code: rng.randint(2, 9) for area in DEFAULT_AREAS},
                    )
                )
                day, kind = day + timedelta(days=45), "periodic"
            if placement.case_officer_id:
                day = placement.start_date + timedelta(days=42)
                while day <= last:
                    reviews.setdefault(placement.case_officer, []).append(
                        ReviewInput(
                            placement=placement,
                            on=day,
                            summary="Uppföljning: utvecklingen går åt rätt håll.",
                            decision="continue",
                            next_review_on=day + timedelta(days=45),
                        )
                    )
                    day += timedelta(days=45)
            if placement.status == "ended":
                findings = []
                due = last + timedelta(days=28)
                if due + timedelta(days=7) < self.today:
                    findings.append(
                        FollowUpFinding(
                            kind="day_28",
                            status_found=rng.choice(("employed", "job_seeking", "studies")),
                            done_at=_at(due + timedelta(days=3), 10),
                            done_by=manager,
                        )
                    )
                exits.append(
                    ExitInput(
                        placement=placement,
                        outcome=_weighted(rng, OUTCOMES),
                        findings=tuple(findings),
                    )
                )
        by_supervisor: dict = {}
        for placement in placements:
            if placement.bench_last is not None:
                by_supervisor.setdefault(enterprise.supervisors[placement.unit.pk], []).append(
                    placement.pk
                )
        for supervisor, ids in by_supervisor.items():
            mine = set(ids)
            attendance_bulk_create(
                placements=[p for p in placements if p.pk in mine],
                entries=[entry for entry in attendance if entry.placement_id in mine],
                acting_user=supervisor,
            )
        for author, records in notes.items():
            progress_note_bulk_create(records=records, acting_user=author)
        goal_bulk_create(records=goals, acting_user=manager)
        assessment_bulk_create(instrument=self.instrument, records=assessments, acting_user=manager)
        for officer, records in reviews.items():
            review_bulk_create(records=records, acting_user=officer)
        exit_bulk_create(records=exits, acting_user=manager)
        # Access events: about ten per participant over the last months, as the
        # screens write them (bulk insert, like audit.events.record_access_many).
        events = []
        for participant in participants:
            for _ in range(rng.randint(5, 15)):
                when = _at(self.today - timedelta(days=rng.randint(1, 120)), rng.randint(7, 17))
                events.append(
                    AccessEvent(
                        occurred_at=when,
                        user_id=manager.pk,
                        role="manager",
                        organisation_id=enterprise.organisation.pk,
                        participant_id=participant.pk,
                        section="overview",
                        action="view",
                        ip_address="127.0.0.1",
                        request_id=f"bench-{rng.getrandbits(48):012x}",
                    )
                )
        AccessEvent.objects.bulk_create(events, batch_size=2000)
        for name, amount in (
            ("participants", len(participants)),
            ("placements", len(placements)),
            ("attendance", len(attendance)),
            ("notes", sum(len(v) for v in notes.values())),
            ("goals", len(goals)),
            ("assessments", len(assessments)),
            ("reviews", sum(len(v) for v in reviews.values())),
            ("exits", len(exits)),
            ("access_events", len(events)),
        ):
            self.counts[name] = self.counts.get(name, 0) + amount

    # --- the manifest: whom and what the cases use -------------------------
    def manifest(self) -> dict:
        from placements.models import Placement

        enterprise = self.enterprises[0]
        # A running placement with a case officer at the first enterprise's first
        # unit (any started one in a tiny data set): its participant is seen by
        # all three roles, its unit's grid is the supervisor's crew.
        started = Placement.objects.filter(
            participant__organisation=enterprise.organisation, start_date__isnull=False
        ).order_by("unit__name", "pk")
        with_officer = (
            started.filter(status="active", case_officer__isnull=False).first()
            or started.filter(status="active").first()
            or started.first()
        )
        unit = with_officer.unit
        supervisor = enterprise.supervisors[unit.pk]
        officer = with_officer.case_officer if with_officer.case_officer_id else None
        return {
            "built_on": self.today.isoformat(),
            "grid_week": self.grid_week.isoformat(),
            "seed": self.seed,
            "password": BENCH_PASSWORD,
            "users": {
                "supervisor": supervisor.username,
                "manager": enterprise.manager.username,
                "case_officer": officer.username if officer else None,
                "analyst": self.analyst.username,
                "admin": self.admin.username,
                "auditor": f"e{0:02d}.auditor",
            },
            "organisation_id": str(enterprise.organisation.pk),
            "unit_id": str(unit.pk),
            "participant_id": str(with_officer.participant_id),
            "participant_status": with_officer.status,
            "placement_id": str(with_officer.pk),
            "counts": self.counts,
        }

    def build(self) -> dict:
        from django.db import connection

        started = time.perf_counter()
        self.log(f"bench data: building {self.scale} participants (seed {self.seed})")
        self.build_organisations()
        if connection.vendor == "sqlite":
            # The build only: SQLite's default page cache is 2 MB, so at 100,000
            # inserts into the random-uuid indexes of a 9 GB file keep reading
            # pages back from the operating system (an earlier 100,000 build
            # slowed from 25 to 12 participants a second). The connection is
            # closed after the build, so the cases measure with the production
            # settings.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
            try:
                self.build_participants()
            finally:
                connection.close()
        else:
            self.build_participants()
        manifest = self.manifest()
        self.log(f"bench data: data rows written in {time.perf_counter() - started:.0f} s")
        return manifest


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or reuse) a bench data set.")
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    configure(args.scale, args.db)
    print(json.dumps(ensure_dataset(args.scale, args.db, rebuild=args.rebuild), indent=2))
    sys.exit(0)
