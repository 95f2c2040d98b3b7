"""What accounts announces for apps above it to record (accounts imports none of them)."""

from django.dispatch import Signal

#: A membership was requested, granted, approved or refused. Keyword arguments:
#: ``membership``, ``change`` ("requested", "granted", "approved" or "refused"),
#: ``acting_user``.
#: The audit app records each as an access event the auditor sees flagged; the
#: services refuse to change access when nobody listens.
access_changed = Signal()
