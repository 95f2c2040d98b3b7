"""The bulk paths: many rows in one go, for demo data and benchmarks.

Every row is checked by the same ``*_validate``/``*_clean`` functions the
single-row services call (a refusal names its row: ``Row N: <message>``), and
every row gets its history row, data key and grants as in production; only the
checks that make sense for a batch alone (a number twice in the batch, an exit
for an ended placement, …) live here.
"""

from .casework import (
    AssessmentInput,
    ExitInput,
    FollowUpFinding,
    GoalInput,
    ProgressNoteInput,
    ReviewInput,
    assessment_bulk_create,
    exit_bulk_create,
    goal_bulk_create,
    progress_note_bulk_create,
    review_bulk_create,
)
from .participants import consent_bulk_create, participant_bulk_create
from .placements import attendance_bulk_create, placement_bulk_create

__all__ = [
    "AssessmentInput",
    "ExitInput",
    "FollowUpFinding",
    "GoalInput",
    "ProgressNoteInput",
    "ReviewInput",
    "assessment_bulk_create",
    "attendance_bulk_create",
    "consent_bulk_create",
    "exit_bulk_create",
    "goal_bulk_create",
    "participant_bulk_create",
    "placement_bulk_create",
    "progress_note_bulk_create",
    "review_bulk_create",
]
