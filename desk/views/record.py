"""What every tab of a participant's record needs in its context.

A tab's view fetches the participant with ``participant_get_for`` and renders a
template extending ``desk/participants/record_base.html`` with
``{**record_summary(request, participant, current="…"), …}``: the summary header
(two queries, whatever the record holds) and the tab bar marking ``current``.
"""

from desk.selectors.record import record_summary_for


def record_summary(request, participant, *, current: str) -> dict:
    """The record's header context: participant, access, summary and the current tab."""
    return {
        "participant": participant,
        "access": participant.access,
        "summary": record_summary_for(user=request.user, participant=participant),
        "current": current,
    }
