"""Stored files that go with a participant's record at erasure.

An app that keeps files about one participant on the server (documents, the
person's own copy, export files with person data) registers a *collector* from
its ``AppConfig.ready()``::

    from erasure import files

    def own_copy_files(participant_id):
        return [Path(p) for p in OwnCopy.objects.filter(
            participant_id=participant_id).values_list("path", flat=True)]

    files.register(own_copy_files)

A collector takes a participant id and returns the paths of that participant's
stored files. It is called inside the erasure transaction, before any row is
deleted (so its own rows still lead to the files). The paths are saved on the
erasure request in the same transaction and the files are deleted once it has
committed; a file that could not be deleted then (the process died, a disk was
away) is deleted by the next run of the daily retention job
(``files_sweep``). A collector that raises aborts the erasure: nothing is erased.

A collector returns filesystem paths, or objects in a Django storage as
``stored(alias, name)`` (an S3 bucket, say). Collectors registered here:
documents (``erasure.apps``, the documents storage) and the person's own copies
(``subject_copy.apps``).

Files encrypted under the participant's data key are unreadable from the moment
the erasure commits, whether or not the deletion has run yet.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.files.storage import storages

logger = logging.getLogger("stegvis.erasure")

Collector = Callable[[uuid.UUID], Iterable[Path | str]]

#: An object in a Django storage (settings.STORAGES alias), not a filesystem path.
STORAGE_PREFIX = "storage:"


def stored(alias: str, name: str) -> str:
    """How a collector names an object in the storage ``alias``."""
    return f"{STORAGE_PREFIX}{alias}:{name}"


_collectors: list[Collector] = []


def register(collector: Collector) -> Collector:
    """Add a collector (usable as a decorator); registering one twice is a no-op."""
    if collector not in _collectors:
        _collectors.append(collector)
    return collector


def unregister(collector: Collector) -> None:
    if collector in _collectors:
        _collectors.remove(collector)


def collectors() -> tuple[Collector, ...]:
    return tuple(_collectors)


def collect(participant_id: uuid.UUID) -> list[str]:
    """The stored files of the participant, from every registered collector."""
    found: list[str] = []
    for collector in _collectors:
        found.extend(
            path if isinstance(path, str) and path.startswith(STORAGE_PREFIX) else str(Path(path))
            for path in collector(participant_id)
        )
    return sorted(set(found))


def delete(paths: Iterable[str]) -> list[str]:
    """Delete the files; returns those that could not be deleted (missing ones count as gone)."""
    left = []
    for name in paths:
        try:
            if name.startswith(STORAGE_PREFIX):
                alias, _sep, object_name = name.removeprefix(STORAGE_PREFIX).partition(":")
                storages[alias].delete(object_name)  # a missing object is no error
            else:
                Path(name).unlink(missing_ok=True)
        except OSError as error:
            logger.error("erasure: a stored file could not be deleted: %s", error.strerror)
            left.append(name)
        except Exception as error:  # noqa: BLE001 - a storage backend's own errors (S3)
            logger.error("erasure: a stored object could not be deleted: %s", type(error).__name__)
            left.append(name)
    return left
