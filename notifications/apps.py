from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.models import Membership
        from accounts.signals import access_changed
        from placements import signals as placement_signals
        from placements.models import Placement
        from referrals import signals as referral_signals
        from referrals.models import Referral

        from . import receivers

        uid = "notifications."
        referral_signals.referral_sent.connect(
            receivers.referral_sent, sender=Referral, dispatch_uid=uid + "referral_sent"
        )
        referral_signals.referral_answered.connect(
            receivers.referral_answered, sender=Referral, dispatch_uid=uid + "referral_answered"
        )
        referral_signals.case_message_posted.connect(
            receivers.case_message_posted, sender=Referral, dispatch_uid=uid + "message"
        )
        placement_signals.plan_submitted.connect(
            receivers.plan_submitted, sender=Placement, dispatch_uid=uid + "plan_submitted"
        )
        placement_signals.plan_decided.connect(
            receivers.plan_decided, sender=Placement, dispatch_uid=uid + "plan_decided"
        )
        access_changed.connect(
            receivers.access_changed, sender=Membership, dispatch_uid=uid + "access_changed"
        )
