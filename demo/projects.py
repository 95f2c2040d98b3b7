"""The demo's funded project: an ESF+ project at the first enterprise with its placements.

Made through the funding services (a few dozen placements at most), so the
snapshots, history and encryption are as in production. The data at entry is
recorded for most placements and the situation on leaving for most that
ended; the rest is left for the pre-flight check to find.
"""

from datetime import timedelta
from random import Random

from accounts.models import Role
from funding.models import Answer, EntryStatus, FileKind, IncomeSource, ProjectKind, SensitiveAnswer
from funding.services import (
    EntryInput,
    LeavingInput,
    ProjectInput,
    project_create,
    project_entry_record,
    project_leaving_record,
    project_placement_add,
)
from placements.models import Placement


def build_funded_projects(builder) -> None:
    rng = Random(builder.seed + 42)  # noqa: S311 (demo data, deterministic)
    spec, enterprise, _units = builder.enterprises[0]
    manager = builder.staff[spec.slug].users[Role.MANAGER]
    starts_on = builder.today - timedelta(days=450)
    project = project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind=ProjectKind.ESF,
            name="Vägen framåt (ESF+)",
            reference=f"{starts_on.year}/00417",
            funder=builder.funder,
            starts_on=starts_on,
            ends_on=builder.today + timedelta(days=365),
            obligations=(FileKind.ESF_PARTICIPANTS, FileKind.SUS),
        ),
        acting_user=manager,
    )
    placements = (
        Placement.objects.filter(
            participant__organisation=enterprise,
            start_date__isnull=False,
            start_date__gte=starts_on,
        )
        .select_related("participant", "participant__data_key")
        .order_by("start_date", "pk")
    )
    for placement in placements:
        if placement.start_date is None:  # filtered out above; for the type checker
            continue
        membership = project_placement_add(
            project=project,
            placement=placement,
            joined_on=placement.start_date,
            acting_user=manager,
        )
        if rng.random() < 0.8:
            membership = project_entry_record(
                membership=membership,
                data=EntryInput(
                    entry_status=membership.entry_status
                    or rng.choice([EntryStatus.INACTIVE, EntryStatus.INACTIVE_NOT_IN_EDUCATION]),
                    education_level=membership.education_level,
                    disability=membership.disability or SensitiveAnswer.NO,
                    foreign_background=membership.foreign_background or SensitiveAnswer.NO,
                    third_country_national=rng.choice([SensitiveAnswer.NO, SensitiveAnswer.YES]),
                    minority=rng.choice(
                        [SensitiveAnswer.NO, SensitiveAnswer.NO, SensitiveAnswer.DECLINED]
                    ),
                    homeless=rng.choice([SensitiveAnswer.NO] * 5 + [SensitiveAnswer.YES]),
                    rural_area=rng.choice([Answer.NO, Answer.YES]),
                    income_before=rng.choice(
                        [
                            IncomeSource.ACTIVITY_SUPPORT,
                            IncomeSource.SICKNESS_BENEFIT,
                            IncomeSource.SOCIAL_ASSISTANCE,
                        ]
                    ),
                ),
                acting_user=manager,
            )
        if placement.actual_end and rng.random() < 0.8:
            employed = rng.random() < 0.4
            project_leaving_record(
                membership=membership,
                data=LeavingInput(
                    left_on=max(placement.actual_end, membership.joined_on),
                    job_searching=Answer.NO if employed else Answer.YES,
                    in_education=Answer.NO,
                    gained_qualification=rng.choice([Answer.NO, Answer.YES]),
                    employed_on_leaving=Answer.YES if employed else Answer.NO,
                    income_after=IncomeSource.SALARY if employed else IncomeSource.ACTIVITY_SUPPORT,
                ),
                acting_user=manager,
            )
