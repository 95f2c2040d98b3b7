"""The monthly attendance report of a placement, as PDF (reportlab).

Built from ``selectors.attendance_month_for``, so it shows exactly what the
user may read; identity (name, personnummer) only where ``show_identity``.
"""

from decimal import Decimal
from io import BytesIO

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from audit.pdf import text_paragraph
from placements.models import Attendance
from placements.selectors import AttendanceMonth
from timesheets.selectors import ConfirmationState, MonthConfirmation, month_of_report


def _hours(value: Decimal | None) -> str:
    """Hours as people write them: "4", "4,5", "4,25" (no trailing zeros)."""
    if value is None:
        return "–"
    value = Decimal(value).quantize(Decimal("0.01"))
    places = 0 if value == value.to_integral() else len(str(value.normalize()).split(".")[1])
    return formats.number_format(value, decimal_pos=places, use_l10n=True)


class NumberedCanvas(pdf_canvas.Canvas):
    """Writes "page x of y" and the generated-at line once every page is known."""

    footer = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.drawString(18 * mm, 10 * mm, self.footer)
            self.drawRightString(
                A4[0] - 18 * mm,
                10 * mm,
                _("Page %(page)s of %(total)s") % {"page": self._pageNumber, "total": total},
            )
            super().showPage()
        super().save()


def _signatures(placement, *, show_identity: bool) -> Table:
    """Lines where the participant and the supervisor sign that the month is right."""
    participant_name = placement.participant.full_name if show_identity else ""
    line = "_" * 38
    rows = [
        [_("Signature, participant"), "", _("Signature, supervisor")],
        ["", "", ""],
        [line, "", line],
        [participant_name, "", _("Name in block letters")],
        [_("Place and date"), "", _("Place and date")],
        ["", "", ""],
        [line, "", line],
    ]
    table = Table(
        rows, colWidths=[78 * mm, 14 * mm, 78 * mm], rowHeights=[12, 14, 12, 12, 16, 14, 12]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, 4), (-1, 4), "Helvetica-Bold"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _confirmation_lines(current: MonthConfirmation) -> list[list[str]]:
    """The participant's confirmation of the month (timesheets): who, when, how; or
    not confirmed, disputed with its days, outdated by a later change."""
    confirmation = current.confirmation
    rows = [[_("Participant's confirmation"), current.state_label]]
    if confirmation is not None:
        who = confirmation.recorded_by.get_full_name() if confirmation.recorded_by else ""
        rows.append(
            [
                _("Recorded"),
                ", ".join(
                    part
                    for part in (
                        str(confirmation.get_channel_display()),
                        formats.date_format(
                            timezone.localtime(confirmation.recorded_at), "Y-m-d H:i"
                        ),
                        who,
                    )
                    if part
                ),
            ]
        )
    if current.state == ConfirmationState.DISPUTED:
        rows.append(
            [
                _("Disputed days"),
                ", ".join(day.isoformat() for day in current.disputed_days),
            ]
        )
        if confirmation is not None and confirmation.resolution:
            rows.append([_("Decision"), str(confirmation.get_resolution_display())])
    rows.append([_("Control code"), current.control_code])
    return rows


def attendance_month_pdf(
    *,
    report: AttendanceMonth,
    show_identity: bool,
    generated_by,
    confirmation: MonthConfirmation | None = None,
) -> bytes:
    """The month as PDF; ``confirmation``: the month's time confirmation, when the
    caller has it already (timesheets.selectors.time_confirmations_of_months),
    otherwise read here (one query)."""
    placement = report.placement
    current = confirmation if confirmation is not None else month_of_report(report)
    disputed = set(current.disputed_days) if current.state == ConfirmationState.DISPUTED else set()
    participant = placement.participant
    styles = getSampleStyleSheet()
    month_label = formats.date_format(report.first_day, "F Y")
    buffer = BytesIO()
    # Uncompressed: a month is small, and the text stays checkable in tests.
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=_("Attendance report") + f" {month_label}",
        author="Stegvis",
        pageCompression=0,
    )
    story: list[Flowable] = [
        text_paragraph(_("Attendance report, %(month)s") % {"month": month_label}, styles["Title"])
    ]
    unit = placement.unit
    header = [
        [_("Enterprise"), unit.organisation.name if unit else participant.organisation.name],
        [_("Unit"), unit.name if unit else "–"],
    ]
    if show_identity:
        header += [
            [_("Participant"), participant.full_name],
            [_("Personal identity number"), participant.personal_identity_number],
        ]
    else:
        header += [[_("Participant"), _("(not shown: no access to identity)")]]
    header += [
        [_("Programme"), placement.get_programme_display()],
        [
            _("Referring agency"),
            placement.referring_organisation.name if placement.referring_organisation else "–",
        ],
        [_("Agency decision number"), placement.decision_number or "–"],
        [_("Month"), month_label],
        [
            _("Scope"),
            _("%(hours)s hours per week") % {"hours": _hours(placement.hours_per_week)},
        ],
    ]
    header_table = Table(header, colWidths=[55 * mm, 115 * mm])
    header_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [header_table, Spacer(1, 6 * mm)]

    reasons = dict(Attendance.AbsenceReason.choices)
    rows = [[_("Date"), _("Day"), _("Planned"), _("Attended"), _("Absence reason")]]
    shaded = []
    for position, day in enumerate(report.days, start=1):
        attendance = day.attendance
        rows.append(
            [
                day.day.isoformat(),
                formats.date_format(day.day, "D"),
                _hours(day.planned) if day.in_placement else "",
                _hours(attendance.attended_hours) if attendance else ("–" if day.planned else ""),
                " · ".join(
                    text
                    for text in (
                        str(reasons.get(attendance.absence_reason, "")) if attendance else "",
                        _("Disputed") if day.day in disputed else "",
                    )
                    if text
                ),
            ]
        )
        if not day.scheduled or not day.in_placement:
            shaded.append(("BACKGROUND", (0, position), (-1, position), colors.HexColor("#eeeeee")))
    rows.append([_("Total"), "", _hours(report.planned_total), _hours(report.attended_total), ""])
    day_table = Table(rows, colWidths=[28 * mm, 20 * mm, 28 * mm, 28 * mm, 66 * mm], repeatRows=1)
    day_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                *shaded,
            ]
        )
    )
    story += [day_table, Spacer(1, 6 * mm)]

    rate = report.attendance_rate
    totals = [
        [_("Planned hours"), _hours(report.planned_total)],
        [_("Attended hours"), _hours(report.attended_total)],
        [_("Attendance rate"), f"{formats.number_format(rate, 1)} %" if rate is not None else "–"],
    ]
    for code, label in Attendance.AbsenceReason.choices:
        days, hours = report.absences.get(code, (0, Decimal(0)))
        totals.append(
            [
                str(label),
                _("%(days)s days, %(hours)s hours not attended")
                % {"days": days, "hours": _hours(hours)},
            ]
        )
    totals += _confirmation_lines(current)
    totals_table = Table(totals, colWidths=[55 * mm, 115 * mm])
    totals_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    # The totals and the signatures on one page: a signature confirms the totals.
    story.append(
        KeepTogether(
            [
                text_paragraph(_("Totals"), styles["Heading2"]),
                totals_table,
                Spacer(1, 14 * mm),
                _signatures(placement, show_identity=show_identity),
            ]
        )
    )

    generated_at = formats.date_format(timezone.localtime(), "Y-m-d H:i")
    footer = _("Generated %(when)s by %(who)s in Stegvis") % {
        "when": generated_at,
        "who": generated_by.get_full_name() or generated_by.username,
    }

    def canvas_maker(*args, **kwargs):
        made = NumberedCanvas(*args, **kwargs)
        made.footer = footer
        return made

    document.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()
