"""The benchmark cases: pages through the whole Django stack, in process.

Each page case is a request made with ``django.test.Client`` by a signed-in
user who has passed the second factor (middleware, access table, access events
and field encryption all on, as in production). A case is measured as:

- ``warmup`` requests, not counted;
- ``repeats`` timed requests (median and p95 in milliseconds);
- one more request under ``CaptureQueriesContext`` (query count) and
  ``tracemalloc`` (peak MB of Python allocations during that request).

Timing and counting are separate passes, so recording the SQL does not slow
the timed requests.

Variants measured side by side in the same run (the ratios in the report):

- ``…:no_access_log``: the same page with ``audit.events.record_access`` (and
  ``record_access_many``, ``record_shown``) patched to a no-op;
- ``…:generic_guardian``: the same list with the grants copied into guardian's
  generic ``UserObjectPermission`` table and read through guardian's own
  ``get_objects_for_user`` on it (bench/guardian_generic.py, bench only);
- ``…:generic_guardian_10x``: the same again with ten times as many rows in
  the generic table (the extra ones for other users), as production would hold.

A case whose URL does not exist yet is skipped with a printed reason.
"""

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from bench.guardian_generic import (
    generic_grants_ensure,
    generic_guardian_tables,
    generic_matches_direct,
    generic_padding,
)

RESULT_KEYS = ("case", "scale", "db", "median_ms", "p95_ms", "queries", "peak_mb")


@dataclass
class Result:
    case: str
    scale: int
    db: str
    median_ms: float | None
    p95_ms: float | None
    queries: int | None
    peak_mb: float | None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        if not data["extra"]:
            data.pop("extra")
        if not data["note"]:
            data.pop("note")
        return data


class Skip(Exception):  # noqa: N818 (a signal, not an error)
    """The case cannot run here (its URL does not exist yet, no such user …)."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- signing in ---------------------------------------------------------------


def signed_in_client(user):
    """A test client with a session past the second factor (as tests.accounts.signin_helpers)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.services import totp_device_create

    client = Client()
    device, _secret = totp_device_create(user=user, confirmed=True, replace=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- variants -------------------------------------------------------------------


@contextmanager
def access_logging_off():
    """Patch record_access, record_access_many and record_shown to no-ops wherever they
    were imported."""
    from audit import events

    originals = {events.record_access, events.record_access_many, events.record_shown}
    with ExitStack() as stack:
        for module in list(sys.modules.values()):
            for name in ("record_access", "record_access_many", "record_shown"):
                if getattr(module, name, None) in originals:
                    stack.enter_context(
                        mock.patch.object(module, name, lambda *args, **kwargs: None)
                    )
        yield


# --- the cases --------------------------------------------------------------------


def named(name: str, patterns) -> bool:
    """Whether ``--only``/``--skip`` patterns name a case: a prefix of its name
    (``participant_list``, ``participant_list.manager``) or its variant after the
    colon (``generic_guardian_10x`` for ``participant_list.manager:generic_guardian_10x``).
    """
    variant = name.partition(":")[2]
    return any(name.startswith(pattern) or variant == pattern for pattern in patterns)


@dataclass
class Case:
    name: str
    request: Callable  # () -> response
    expect: tuple = (200,)
    variant: Callable | None = None  # a context manager factory
    prepare: Callable | None = None  # called before every request, not timed
    max_repeats: int | None = None  # for background work measured through its request
    group: str = "page"


class Harness:
    def __init__(
        self,
        *,
        manifest: dict,
        scale: int,
        db: str,
        warmup: int,
        repeats: int,
        log,
        profile_dir: Path | None = None,
    ):
        self.manifest = manifest
        self.scale = scale
        self.db = db
        self.warmup = warmup
        self.repeats = repeats
        self.log = log
        self.clients: dict = {}
        self.users: dict = {}
        self._flip = 0
        self.profile_dir = profile_dir

    # --- set-up ---------------------------------------------------------------
    def user(self, role: str):
        from accounts.models import User

        username = self.manifest["users"].get(role)
        if not username:
            raise Skip(f"the data set has no {role}")
        if role not in self.users:
            self.users[role] = User.objects.get(username=username)
        return self.users[role]

    def client(self, role: str):
        if role not in self.clients:
            self.clients[role] = signed_in_client(self.user(role))
        return self.clients[role]

    @staticmethod
    def url(name: str, **kwargs) -> str:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch as error:
            raise Skip(f"URL {name!r} does not exist yet ({error.__class__.__name__})") from None

    @staticmethod
    def url_names() -> list[str]:
        from django.urls import get_resolver

        names = []

        def walk(resolver, prefix):
            for pattern in resolver.url_patterns:
                if hasattr(pattern, "url_patterns"):
                    namespace = pattern.namespace
                    walk(pattern, f"{prefix}{namespace}:" if namespace else prefix)
                elif pattern.name:
                    names.append(prefix + pattern.name)

        walk(get_resolver(), "")
        return names

    def discovered(self, label: str, candidates: tuple[str, ...], words: tuple[str, ...]) -> str:
        """The first candidate URL name that exists, else one whose name has all the words."""
        names = self.url_names()
        for name in candidates:
            if name in names:
                return name
        for name in names:
            if all(word in name for word in words) and not name.startswith("admin:"):
                return name
        raise Skip(f"no URL for {label} yet (looked for {', '.join(candidates)})")

    # --- measuring ------------------------------------------------------------
    def measure(self, case: Case) -> Result:
        def call():
            if case.prepare:
                case.prepare()
                started_at[0] = time.perf_counter()
            response = case.request()
            if response.status_code not in case.expect:
                body = b"" if response.streaming else response.content[:300]
                raise AssertionError(
                    f"{case.name}: HTTP {response.status_code}, expected {case.expect}: {body!r}"
                )
            if response.streaming:
                b"".join(response.streaming_content)
            return response

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        started_at = [0.0]
        variant = case.variant() if case.variant else ExitStack()
        warmup, repeats = self.warmup, self.repeats
        if case.max_repeats:
            warmup, repeats = min(warmup, 1), min(repeats, case.max_repeats)
        with variant:
            for _ in range(warmup):
                call()
            timings, cpu = [], []
            gc.collect()
            for _ in range(repeats):
                started_at[0], cpu_started = time.perf_counter(), time.process_time()
                call()
                timings.append((time.perf_counter() - started_at[0]) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            tracemalloc.start()
            with CaptureQueriesContext(connection) as captured:
                call()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            # Counted now: the next request's request_started signal empties the log.
            queries = len(captured.captured_queries)
            if self.profile_dir:
                self._profile(case, call, repeats)
        return Result(
            case=case.name,
            scale=self.scale,
            db=self.db,
            median_ms=round(statistics.median(timings), 2),
            p95_ms=round(percentile(timings, 0.95), 2),
            queries=queries,
            peak_mb=round(peak / 2**20, 2),
            # CPU time of this process (Python, and SQLite, which runs in process):
            # robust when other jobs share the cores; excludes PostgreSQL's own work.
            extra={"cpu_ms": round(statistics.median(cpu), 2)},
        )

    def _profile(self, case: Case, call: Callable, repeats: int) -> None:
        """Run the case ``repeats`` times more under pyinstrument, after (not in)
        the timed repeats, and write the call tree to ``<dir>/<case>.txt``."""
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(repeats):
                call()
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        path = self.profile_dir / f"{case.name.replace(':', '_')}.txt"
        path.write_text(profiler.output_text(unicode=True, show_all=False))
        self.log(f"  profile of {case.name} ({repeats} requests): {path}")

    # --- case definitions ---------------------------------------------------------
    def get(self, role: str, url_name: str, data=None, **kwargs) -> Callable:
        url = self.url(url_name, **kwargs)
        client = self.client(role)
        return lambda: client.get(url, data or {})

    def cases(self) -> list[Case | tuple[str, str]]:
        """Every case, or (name, reason) for one that cannot be built here."""
        m = self.manifest
        built: list = []

        def add(name, make: Callable[[], Case | list[Case]]):
            try:
                made = make()
            except Skip as reason:
                built.append((name, str(reason)))
                return
            built.extend(made if isinstance(made, list) else [made])

        for role in ("supervisor", "manager", "case_officer"):
            add(
                f"home.{role}",
                lambda role=role: [
                    Case(f"home.{role}", self.get(role, "home")),
                    # The cards' people are logged one event each (audit.events.record_shown).
                    Case(
                        f"home.{role}:no_access_log",
                        self.get(role, "home"),
                        variant=access_logging_off,
                    ),
                ],
            )
        for role in ("supervisor", "manager", "case_officer"):
            add(
                f"participant_list.{role}",
                lambda role=role: self._list_cases(role),
            )
        add(
            "participant_list.manager.sort_name",
            lambda: Case(
                "participant_list.manager.sort_name",
                self.get("manager", "participants:list", {"sort": "name"}),
            ),
        )
        add("participant_search.manager", self._search_case)
        for role in ("supervisor", "manager", "case_officer"):
            add(
                f"participant_detail.{role}",
                lambda role=role: self._detail_cases(role),
            )
        add(
            "participant_history.manager",
            lambda: Case(
                "participant_history.manager",
                self.get("manager", "participants:history", participant_id=m["participant_id"]),
            ),
        )
        add(
            "placement_list.manager",
            lambda: [
                Case("placement_list.manager", self.get("manager", "placements:list")),
                Case(
                    "placement_list.manager:no_access_log",
                    self.get("manager", "placements:list"),
                    variant=access_logging_off,
                ),
            ],
        )
        add(
            "placement_detail.supervisor",
            lambda: Case(
                "placement_detail.supervisor",
                self.get("supervisor", "placements:detail", placement_id=m["placement_id"]),
            ),
        )
        for role in ("supervisor", "manager"):
            add(
                f"attendance_week.view.{role}",
                lambda role=role: Case(
                    f"attendance_week.view.{role}",
                    self.get(
                        role,
                        "units:attendance_week",
                        unit_id=m["unit_id"],
                        week=date.fromisoformat(m["grid_week"]),
                    ),
                ),
            )
        add("attendance_week.save.supervisor", self._week_save_case)
        add("note_add.supervisor", self._note_add_case)
        add("notes.supervisor", lambda: self._participant_page("supervisor", "participants:notes"))
        add("attendance_month_pdf.supervisor", self._pdf_case)
        add("time_month.supervisor", self._time_month_case)
        add("time_confirm.supervisor", self._time_confirm_case)
        add("outcome_report.manager", self._outcome_report_case)
        add("anonymised_export.analyst", self._export_case)
        add(
            "audit_events.auditor",
            lambda: Case("audit_events.auditor", self.get("auditor", "audit:events")),
        )
        add(
            "audit_participant_extract.auditor",
            lambda: Case(
                "audit_participant_extract.auditor",
                self.get(
                    "auditor", "audit:participant_extract", participant_id=m["participant_id"]
                ),
            ),
        )
        return built

    def _list_cases(self, role: str) -> list[Case]:
        name = f"participant_list.{role}"
        request = self.get(role, "participants:list")
        cases = [
            Case(name, request),
            Case(f"{name}:no_access_log", request, variant=access_logging_off),
        ]
        if role in ("supervisor", "manager"):
            user = self.user(role)
            generic_grants_ensure(self.log)
            direct, _generic = generic_matches_direct(user)
            self.log(f"bench: {role} sees the same {direct} participants through both tables")

            @contextmanager
            def padded():
                measured = [self.user(other) for other in ("supervisor", "manager")]
                with (
                    generic_padding(measured_users=measured, log=self.log),
                    generic_guardian_tables(),
                ):
                    yield

            cases += [
                Case(f"{name}:generic_guardian", request, variant=generic_guardian_tables),
                Case(f"{name}:generic_guardian_10x", request, variant=padded),
            ]
        return cases

    def _detail_cases(self, role: str) -> list[Case]:
        name = f"participant_detail.{role}"
        request = self.get(
            role, "participants:detail", participant_id=self.manifest["participant_id"]
        )
        return [
            Case(name, request),
            Case(f"{name}:no_access_log", request, variant=access_logging_off),
        ]

    def _participant_page(self, role: str, url_name: str) -> Case:
        return Case(
            f"{url_name.split(':')[-1]}.{role}",
            self.get(role, url_name, participant_id=self.manifest["participant_id"]),
        )

    def _search_case(self) -> Case:
        from participants.models import Participant

        url = self.url("participants:list")
        client = self.client("manager")
        participant = Participant.objects.get(pk=self.manifest["participant_id"])
        term = participant.family_name[:5]
        # Posted, as the screen does (a search term never goes in the URL).
        return Case("participant_search.manager", lambda: client.post(url, {"q": term}))

    def _week_save_case(self) -> Case:
        """Post the whole unit-week; every open cell changes on every repeat (worst case)."""
        from placements.selectors import attendance_week_for

        week_start = date.fromisoformat(self.manifest["grid_week"])
        url = self.url("units:attendance_week", unit_id=self.manifest["unit_id"], week=week_start)
        user = self.user("supervisor")
        client = self.client("supervisor")
        week = attendance_week_for(
            user=user, unit_id=self.manifest["unit_id"], week_start=week_start
        )
        open_cells = [
            (row.placement.pk, cell.day, row.fill_hours)
            for row in week.rows
            for cell in row.cells
            if cell.open and cell.scheduled
        ]
        if not open_cells:
            raise Skip("the grid week has no open cells")

        def post():
            self._flip += 1
            data = {}
            for placement_id, day, hours in open_cells:
                key = f"{placement_id}-{day.isoformat()}"
                attended = hours if self._flip % 2 else (hours / 2).quantize(Decimal("0.25"))
                data[f"h-{key}"] = str(attended)
                data[f"r-{key}"] = ""
            return client.post(url, data)

        return Case(
            f"attendance_week.save.supervisor[{len(week.rows)} people]",
            post,
            expect=(302,),
        )

    def _note_add_case(self) -> Case:
        from django.utils import timezone

        url = self.url("participants:note_add", participant_id=self.manifest["participant_id"])
        client = self.client("supervisor")
        data = {
            "placement": self.manifest["placement_id"],
            "kind": "observation",
            "visibility": "internal",
            "text": "Bänkprov: arbetade jämnt hela passet.",
            "on": timezone.localdate().isoformat(),
        }
        return Case("note_add.supervisor", lambda: client.post(url, data), expect=(302,))

    def _pdf_case(self) -> Case:
        week = date.fromisoformat(self.manifest["grid_week"])
        return Case(
            "attendance_month_pdf.supervisor",
            self.get(
                "supervisor",
                "placements:attendance_month_pdf",
                placement_id=self.manifest["placement_id"],
                year=week.year,
                month=week.month,
            ),
        )

    def _time_month_case(self) -> Case:
        """A unit's month with each participant's time confirmation (timesheets)."""
        week = date.fromisoformat(self.manifest["grid_week"])
        return Case(
            "time_month.supervisor",
            self.get(
                "supervisor",
                "units:time_month",
                unit_id=self.manifest["unit_id"],
                year=week.year,
                month=week.month,
            ),
        )

    def _time_confirm_case(self) -> Case:
        """One participant's month in front of them, ready to confirm."""
        week = date.fromisoformat(self.manifest["grid_week"])
        return Case(
            "time_confirm.supervisor",
            self.get(
                "supervisor",
                "placements:time_confirm",
                placement_id=self.manifest["placement_id"],
                year=week.year,
                month=week.month,
            ),
        )

    def _period(self) -> dict:
        """The twelve months up to the build day."""
        built = date.fromisoformat(self.manifest["built_on"])
        first = (built.replace(day=1) - timedelta(days=334)).replace(day=1)
        return {"period_from": first.strftime("%Y-%m"), "period_to": built.strftime("%Y-%m")}

    def _outcome_report_case(self) -> list[Case]:
        name = self.discovered(
            "the outcome report",
            ("reports:outcome", "casework:outcome_report", "reports:outcomes"),
            ("report",),
        )
        cases = [Case(f"outcome_report.manager[{name}]", self.get("manager", name, self._period()))]
        pdf = f"{name}_pdf"
        if pdf in self.url_names():
            cases.append(
                Case(f"outcome_report_pdf.manager[{pdf}]", self.get("manager", pdf, self._period()))
            )
        return cases

    def _export_case(self) -> Case:
        """Request an anonymised export (runs inline: the test profile's tasks are immediate)."""
        from django.utils import timezone

        from accounts.reauth import REAUTH_AT

        name = self.discovered(
            "the anonymised export",
            ("reports:export_create", "casework:anonymised_export", "reports:export"),
            ("export", "create"),
        )
        url = self.url(name)
        client = self.client("analyst")
        data = {**self._period(), "threshold": 5}

        def reauthenticated():
            # Bulk exports ask for password and code again (accounts.reauth): the
            # session says it happened just now, outside the timed request.
            session = client.session
            session[REAUTH_AT] = timezone.now().timestamp()
            session.save()

        return Case(
            f"anonymised_export.analyst[{name}]",
            lambda: client.post(url, data),
            expect=(302,),
            prepare=reauthenticated,
            # A background job in production (progress bar): a few runs are enough.
            max_repeats=5,
        )

    # --- running -------------------------------------------------------------------
    def run(self, only: set[str] | None = None, skip: set[str] = frozenset()) -> list[Result]:
        results = []
        for case in self.cases():
            name = case[0] if isinstance(case, tuple) else case.name
            if named(name, skip):
                continue
            if isinstance(case, tuple):
                name, reason = case
                if only and not named(name, only):
                    continue
                self.log(f"  skip {name}: {reason}")
                results.append(
                    Result(name, self.scale, self.db, None, None, None, None, f"skipped: {reason}")
                )
                continue
            if only and not named(case.name, only):
                continue
            try:
                result = self.measure(case)
            except Exception as error:  # noqa: BLE001 (reported in the table; the run goes on)
                # A broken view (being built by others) must not stop the other cases;
                # the error is printed and recorded in the JSON.
                self.log(f"  FAIL {case.name}: {error}")
                result = Result(
                    case.name, self.scale, self.db, None, None, None, None, f"error: {error}"[:300]
                )
            else:
                self.log(
                    f"  {case.name}: median {result.median_ms} ms, p95 {result.p95_ms} ms, "
                    f"{result.queries} queries, {result.peak_mb} MB"
                )
            results.append(result)
        return results


# --- ratios ----------------------------------------------------------------------


def ratios(results: list[Result]) -> list[tuple[str, float, str]]:
    """(name, ratio, meaning) for every variant measured beside its base case."""
    by_name = {result.case: result for result in results if result.median_ms}
    found = []
    for result in results:
        if ":" not in result.case or not result.median_ms:
            continue
        base_name, variant = result.case.split(":", 1)
        base = by_name.get(base_name)
        if base is None:
            continue
        if variant == "no_access_log":
            found.append(
                (
                    f"{base_name}: with / without access logging",
                    base.median_ms / result.median_ms,
                    "cost of writing the access event",
                )
            )
        elif variant in ("generic_guardian", "generic_guardian_10x"):
            rows = " (generic table ×10, other users)" if variant.endswith("10x") else ""
            found.append(
                (
                    f"{base_name}: generic / direct guardian tables{rows}",
                    result.median_ms / base.median_ms,
                    "target ≥ 2 (direct tables at least twice as fast)",
                )
            )
    return found
