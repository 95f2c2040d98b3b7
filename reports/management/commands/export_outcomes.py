"""Make the anonymised outcome export from the command line (same files as the web export).

    python manage.py export_outcomes --anonymised --period 2026-01:2026-06 \
        [--organisation ID ...] [--threshold 5] [--rounding] [--recipient FUNDER_ID] \
        [--grouping automatic|detailed|merged] --out DIR

Every release is recorded (reports.Release) and audited together with the
earlier releases to the same recipient whose scope overlaps it (without
--recipient: the earlier command-line releases without one).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from reports.anonymised import AUTOMATIC, DETAILED, MERGED
from reports.differencing import ReleaseRefused
from reports.scope import Period
from reports.service import DEFAULT_THRESHOLD, release_make
from reports.statistics import outcome_report


class Command(BaseCommand):
    help = (
        "Write the anonymised outcome export (CSV, XLSX, tables.json, manifest.json) to a folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anonymised", action="store_true", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM:YYYY-MM")
        parser.add_argument("--organisation", action="append", default=[], help="enterprise id")
        parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
        parser.add_argument("--rounding", action="store_true", help="round counts to base 5")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--recipient", help="the funder organisation the release goes to (its id)"
        )
        parser.add_argument(
            "--grouping",
            choices=(AUTOMATIC, DETAILED, MERGED),
            default=AUTOMATIC,
            help="merged: non-binary and not stated as one column, under 30 as one age band; "
            "automatic: merged when that hides less and the detailed would hide over 20 %%",
        )

    def handle(self, *args, **options):
        try:
            period = Period.parse(options["period"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if options["threshold"] < 3:
            raise CommandError("The threshold must be at least 3.")
        enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
        if options["organisation"]:
            wanted = set(options["organisation"])
            try:
                enterprises = enterprises.filter(pk__in=wanted)
                ids = list(enterprises.values_list("pk", flat=True))
            except ValidationError:
                raise CommandError("An organisation id is not valid.") from None
            if len(ids) != len(wanted):
                raise CommandError("An organisation id is not an enterprise.")
        else:
            ids = list(enterprises.values_list("pk", flat=True))
        recipient_id = None
        if options["recipient"]:
            try:
                recipient = Organisation.objects.filter(
                    pk=options["recipient"], kind=Organisation.Kind.FUNDER
                ).first()
            except ValidationError:
                recipient = None
            if recipient is None:
                raise CommandError("The recipient is not a funder organisation.")
            recipient_id = recipient.pk
        parameters = {
            "period": period.code,
            "organisation_ids": sorted(str(pk) for pk in ids),
            "threshold": options["threshold"],
            "rounding": options["rounding"],
            "source": "manage.py export_outcomes",
        }
        report = outcome_report(period=period, organisation_ids=ids)
        try:
            bundle = release_make(
                report=report,
                organisation_ids=ids,
                period=period,
                threshold=options["threshold"],
                rounding=options["rounding"],
                grouping=options["grouping"],
                recipient_id=recipient_id,
                acting_user=None,
                role="command line",
                parameters=parameters,
            )
        except ReleaseRefused as refused:
            raise CommandError(refused.message) from None
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        for name, content in bundle.files.items():
            (out / name).write_bytes(content)
        self.stdout.write(
            f"Wrote {len(bundle.files)} files to {out} "
            f"({len(bundle.suppressed)} suppressed cells, {len(bundle.flags)} flagged groups, "
            f"{bundle.grouping} categories)."
        )
