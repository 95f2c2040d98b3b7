"""Structured (JSON) logs carrying the request id, user id and role.

Logs never carry names, personnummer, note text or search terms: records hold
ids only, query strings are cut from request lines (search terms travel in
them), and a logged exception keeps its type and traceback but not its message.
"""

import contextvars
import json
import logging
import re
import traceback
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="")
role_var: contextvars.ContextVar[str] = contextvars.ContextVar("role", default="")

QUERY_STRING = re.compile(r"\?[^\s\"']*")


def scrub(message: str) -> str:
    """Cut query strings (search terms, filters) out of a log message."""
    return QUERY_STRING.sub("?…", message)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.role = role_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", ""),
            "user_id": getattr(record, "user_id", ""),
            "role": getattr(record, "role", ""),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = exception_without_messages(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def exception_without_messages(exc_info) -> str:
    """The traceback of an exception and of its causes, with types but no messages.

    An exception's message can hold whatever the failing code had in hand: a
    name, a personnummer, a database error's ``DETAIL: Key (…)=(…)``. The
    frames (file, line, function, source line) locate the fault; the message
    stays out of the log, like the values of locals.
    """
    blocks = []
    seen: set[int] = set()
    error = exc_info[1]
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = type(error)
        name = kind.__qualname__
        if kind.__module__ not in ("builtins", "__main__"):
            name = f"{kind.__module__}.{name}"
        frames = traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__))
        blocks.append(
            "Traceback (most recent call last):\n"
            + "".join(frames.format())
            + f"{name}: (message withheld from the log)"
        )
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    # Innermost cause first, as Python prints a chain.
    return "\n\nThe above exception led to the following:\n\n".join(reversed(blocks))


class LogContextMiddleware:
    """Put the request id, user id and roles into the logging context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.roles import current_roles

        tokens = [request_id_var.set(getattr(request, "request_id", ""))]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tokens.append(user_id_var.set(str(user.pk)))
            tokens.append(role_var.set(",".join(sorted(current_roles(user)))))
        try:
            return self.get_response(request)
        finally:
            for token in reversed(tokens):
                token.var.reset(token)


def logging_config(*, level: str = "INFO", json_logs: bool = True) -> dict:
    formatter = "json" if json_logs else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "config.logging.RequestContextFilter"}},
        "formatters": {
            "json": {"()": "config.logging.JsonFormatter"},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.server": {"handlers": ["console"], "level": level, "propagate": False},
            "stegvis": {"handlers": ["console"], "level": level, "propagate": False},
        },
    }
