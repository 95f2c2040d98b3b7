"""History change reasons, shown in the reader's language.

Services store a fixed English phrase as a row's change reason (it is data:
the same in every language, searchable, stable). The screens and the access
extract show it through ``reason_label``: a known phrase translated, a known
prefix ("grant: …", "attendance cleared: …") translated with what follows it
(free text, as written), anything else as stored.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as noop

KNOWN = frozenset(
    {
        noop("assessment recorded"),
        noop("attendance corrected"),
        noop("attendance recorded"),
        noop("consent recorded"),
        noop("consent withdrawn"),
        noop("default instrument created"),
        noop("exit recorded"),
        noop("follow-up recorded"),
        noop("follow-up scheduled"),
        noop("goal added"),
        noop("goal open"),
        noop("goal in_progress"),
        noop("goal achieved"),
        noop("goal dropped"),
        noop("membership approved"),
        noop("membership ended"),
        noop("membership granted"),
        noop("membership requested"),
        noop("note added"),
        noop("participant registered"),
        noop("placement ended"),
        noop("placement joined project"),
        noop("project entry recorded"),
        noop("project leaving recorded"),
        noop("funded project created"),
        noop("placement paused"),
        noop("placement resumed"),
        noop("placement started"),
        noop("plan approved"),
        noop("plan edited"),
        noop("plan submitted"),
        noop("referral registered"),
        noop("review recorded"),
        noop("supervisor assigned"),
        noop("supervisor unassigned"),
        noop("case officer's read access until follow-ups are over"),
        noop("expired"),
        noop("read access until grace period ends"),
        noop("referral"),
        noop("supervision ended"),
        noop("retention policy changed"),
        noop("referral sent"),
        noop("referral accepted"),
        noop("referral declined"),
        noop("referral withdrawn"),
        noop("referral supplemented"),
        noop("referral erased (retention)"),
        noop("referral: more information requested"),
        noop("referral request"),
        noop("referral answer"),
        noop("consent recorded with referral"),
        noop("placement planned"),
        noop("placement registered"),
        noop("message posted"),
        noop("document uploaded"),
        noop("document deleted"),
        noop("demo data: membership"),
        noop("time confirmed (paper)"),
        noop("time confirmed (on_screen)"),
        noop("time confirmed (e_id)"),
        noop("time disputed (paper)"),
        noop("time disputed (on_screen)"),
        noop("time disputed (e_id)"),
        noop("time dispute resolved (corrected)"),
        noop("time dispute resolved (kept)"),
    }
)
#: "prefix: rest" — the prefix translated, the rest translated if known.
PREFIXES = frozenset({noop("grant"), noop("attendance cleared")})


def reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    if reason in KNOWN:
        return gettext(reason)
    prefix, separator, rest = reason.partition(": ")
    if separator and prefix in PREFIXES:
        return f"{gettext(prefix)}: {reason_label(rest) if rest in KNOWN else rest}"
    return reason
