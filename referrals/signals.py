"""What the referral and message services announce, for the notifications.

Sent with ``send_robust`` once the transaction has committed, so a receiver sees
only what was saved and a failing receiver never undoes the write. The keyword
arguments carry the objects, the users to tell and a link; no personal data
beyond the objects themselves.

- ``referral_sent``: ``referral``, ``recipients`` (the enterprise's current
  managers), ``url`` (the referral's page). Sent again when the case officer
  answers a request for more information (the referral waits again).
- ``referral_answered``: ``referral``, ``answer`` (``accepted``,
  ``more_information`` or ``declined``), ``recipients`` (the referring case
  officer), ``url``.
- ``case_message_posted``: ``message``, ``recipients`` (the placement's other
  parties: its case officer, current supervisors and the enterprise's managers,
  without the author), ``url`` (the placement's messages).
"""

from django.dispatch import Signal

referral_sent = Signal()
referral_answered = Signal()
case_message_posted = Signal()
