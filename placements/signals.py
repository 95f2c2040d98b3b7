"""What the plan services announce, for the notifications.

Sent with ``send_robust`` once the transaction has committed (as
``referrals.signals``), so a receiver sees only what was saved and a failing
receiver never undoes the write. Keyword arguments: ``placement`` and
``acting_user``; ``plan_decided`` also ``approved`` (True, or False for changes
requested). No personal data beyond the objects themselves.
"""

from django.dispatch import Signal

plan_submitted = Signal()
plan_decided = Signal()
