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

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        # Accept a proxy's id only if it is a plain token (it ends up in logs).
        request.request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
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
