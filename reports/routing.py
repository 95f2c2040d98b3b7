"""Mark report queries so the database router may send them to a read replica
(``config.routers.ReportReplicaRouter``; only when ``DATABASE_REPLICA_URL`` is set)."""

import contextlib
import contextvars

_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("reporting", default=False)


@contextlib.contextmanager
def reporting():
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def is_reporting() -> bool:
    return _reporting.get()
