"""Background tasks of notifications (Django's tasks framework; django-tasks-db in
production, run by the ``db_worker``). E-mail is only ever sent from here, never
inside a request: a request queues the task after its transaction commits."""

import logging
import smtplib
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

#: A failed send is tried again after 1, 2, 4 and 8 minutes, then given up (logged).
EMAIL_ATTEMPTS = 5
EMAIL_RETRY_SECONDS = 60


@task
def notification_email_task(user_id: str, digest: bool = False, attempt: int = 1) -> int:
    """E-mail the user how many new items wait; on a mail-server failure, try again later."""
    from .emails import notification_email_send

    try:
        return notification_email_send(user_id=user_id, digest=digest)
    except (smtplib.SMTPException, OSError):
        if attempt >= EMAIL_ATTEMPTS:
            logger.exception("notification e-mail given up after %d attempts", attempt)
            raise
        delay = timedelta(seconds=EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))
        logger.warning("notification e-mail failed (attempt %d); retrying in %s", attempt, delay)
        retry = notification_email_task
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + delay)
        retry.enqueue(user_id, digest, attempt + 1)
        return 0


@task
def notifications_daily_task() -> dict:
    """The daily job: due items, then the e-mail digests."""
    from .daily import notifications_daily

    run = notifications_daily()
    return {
        "due_items": run.due_items,
        "batches": run.batches,
        "digests": run.digests,
        "purged": run.purged,
    }
