"""The kinds of notification, their labels and who gets an e-mail by default.

A notification names its kind and links to the item; it never carries a name,
a personal identity number or free text. The label is all the list shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("New referral")
    REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
    PLAN_SUBMITTED = "plan_submitted", _("Plan awaiting approval")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_CHANGES_REQUESTED = "plan_changes_requested", _("Changes requested to the plan")
    MESSAGE_RECEIVED = "message_received", _("New message")
    REVIEW_DUE = "review_due", _("Review due within 7 days")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due within 7 days")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")
    EXPORT_READY = "export_ready", _("Export ready")
    ERASURE_AWAITING_APPROVAL = "erasure_awaiting_approval", _("Erasure awaiting approval")
    MEMBERSHIP_AWAITING_APPROVAL = (
        "membership_awaiting_approval",
        _("Access request awaiting approval"),
    )


class Delivery(models.TextChoices):
    IN_APP = "in_app", _("In Stegvis only")
    IMMEDIATE = "immediate", _("Also by e-mail at once")
    DAILY = "daily", _("Also by e-mail, once a day")


#: Without a choice of their own: what waits for the user's decision comes by e-mail
#: at once, what is due or new once a day, and what only informs stays in Stegvis.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.REFERRAL_RECEIVED: Delivery.IMMEDIATE,
    Kind.REFERRAL_ANSWERED: Delivery.IMMEDIATE,
    Kind.PLAN_SUBMITTED: Delivery.IMMEDIATE,
    Kind.PLAN_APPROVED: Delivery.IN_APP,
    Kind.PLAN_CHANGES_REQUESTED: Delivery.IMMEDIATE,
    Kind.MESSAGE_RECEIVED: Delivery.DAILY,
    Kind.REVIEW_DUE: Delivery.DAILY,
    Kind.REVIEW_OVERDUE: Delivery.DAILY,
    Kind.FOLLOW_UP_DUE: Delivery.DAILY,
    Kind.FOLLOW_UP_OVERDUE: Delivery.DAILY,
    Kind.EXPORT_READY: Delivery.IN_APP,
    Kind.ERASURE_AWAITING_APPROVAL: Delivery.IMMEDIATE,
    Kind.MEMBERSHIP_AWAITING_APPROVAL: Delivery.IMMEDIATE,
}
