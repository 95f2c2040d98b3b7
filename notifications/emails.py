"""The e-mail that tells a user something waits in Stegvis.

It says how many items are new and links to the notification list: nothing
else. No name, no personal identity number, no text from a record, not even
the kinds: an e-mail leaves the system and may be read by anyone with access
to the mailbox.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

from .kinds import Delivery
from .models import Notification
from .selectors import deliveries_for


def email_text(count: int) -> tuple[str, str]:
    """Subject and body: the count and the link, in the site's language."""
    link = settings.SITE_URL.rstrip("/") + reverse("notifications:list")
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "You have %(count)d new item in Stegvis",
            "You have %(count)d new items in Stegvis",
            count,
        ) % {"count": count}
        body = "\n\n".join(
            [
                subject + ".",
                _("Sign in to see them: %(link)s") % {"link": link},
                _(
                    "This message holds no details on purpose. You choose which "
                    "notifications come by e-mail under Notifications, Settings."
                ),
            ]
        )
    return subject, body


def notification_email_send(*, user_id, digest: bool = False) -> int:
    """Send the user one e-mail for the unread notifications not yet e-mailed whose
    kinds they want by e-mail at once (and, for the daily digest, once a day).
    Returns how many items it told of (0: nothing sent)."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    pending = list(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, emailed_at__isnull=True
        ).values_list("pk", "kind")
    )
    wanted = {Delivery.IMMEDIATE, Delivery.DAILY} if digest else {Delivery.IMMEDIATE}
    deliveries = deliveries_for(user_ids=[user.pk], kinds={kind for _pk, kind in pending})
    ids = [pk for pk, kind in pending if deliveries[(user.pk, kind)] in wanted]
    if not ids:
        return 0
    subject, body = email_text(len(ids))
    send_mail(subject, body, None, [user.email])
    Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return len(ids)


def digest_recipients() -> list[str]:
    """Users with unread notifications not yet e-mailed that they want by e-mail. Two queries."""
    pending = set(
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .values_list("recipient_id", "kind")
        .distinct()
    )
    deliveries = deliveries_for(
        user_ids={user_id for user_id, _kind in pending}, kinds={kind for _user, kind in pending}
    )
    return sorted(
        {
            str(user_id)
            for user_id, kind in pending
            if deliveries[(user_id, kind)] != Delivery.IN_APP
        }
    )
