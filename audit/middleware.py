"""A request id for every request, carried in access events and the response;
and the trigger for background sealing."""

import re
import threading
import time
import uuid

from django.conf import settings
from django.tasks import task_backends
from django.tasks.backends.immediate import ImmediateBackend

from .events import REQUEST_FLAG

#: A proxy's request id: a plain token (nginx's $request_id, a UUID), since it
#: is written to logs and access events.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")


class RequestIdMiddleware:
    """Give every request an id: the trusted proxy's, or a new one.

    An incoming X-Request-ID is taken only behind a trusted proxy
    (``DJANGO_PROXY_COUNT`` > 0, which sets the header itself); without one a
    client could choose the id its access events carry and log lines share.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = settings.PROXY_COUNT > 0
        incoming = request.headers.get("X-Request-ID", "") if trusted else ""
        valid = REQUEST_ID_PATTERN.fullmatch(incoming)
        request.request_id = incoming if valid else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        if request.__dict__.get(REQUEST_FLAG):
            seal_soon()
        return response


_last_enqueued = 0.0
_enqueue_lock = threading.Lock()


def seal_soon() -> bool:
    """Queue a sealing run at most every AUDIT_SEAL_ENQUEUE_SECONDS per process.

    Only with a real queue: the immediate backend (tests) would seal inside
    the request. Enqueueing is one INSERT into the task table; the sealing
    itself runs in the worker and takes no lock the requests wait on.
    """
    global _last_enqueued
    interval = int(getattr(settings, "AUDIT_SEAL_ENQUEUE_SECONDS", 60))
    if interval <= 0 or isinstance(task_backends["default"], ImmediateBackend):
        return False
    now = time.monotonic()
    with _enqueue_lock:
        if now - _last_enqueued < interval:
            return False
        _last_enqueued = now
    from .tasks import seal_audit_task

    seal_audit_task.enqueue()
    return True
