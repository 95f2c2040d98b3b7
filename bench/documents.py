"""Benchmark of documents: peak memory and time streaming a 20 MB file.

    python -m bench.documents --db sqlite|postgres [--mb 20] [--json FILE]

On a throw-away test database and a temporary filesystem storage: upload one
PDF of ``--mb`` MB (just under the limit) through ``document_upload`` (size and
type checks, the active-content walk, chunked encryption into storage), then
download it through ``document_content`` (the whole object authenticated once,
then streamed). Peak memory is Python's own allocations during each step
(tracemalloc), next to the file's size: a streaming path stays far below it.
For comparison the same file is read whole into memory once (``read_whole``).
"""

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import date

from bench.encryption import _database_version, _setup

MEGABYTE = 1024 * 1024


def _measure(function) -> dict:
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(seconds, 3), "peak_mb": round(peak / MEGABYTE, 2), "result": result}


def _pdf_of_size(size: int) -> str:
    """A valid PDF of about ``size`` bytes (one page whose content stream is mostly
    comment lines), in a temporary file."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    line = b"%" + b"x" * 1022 + b"\n"
    content = DecodedStreamObject()
    content.set_data(
        b"BT /F1 12 Tf 72 720 Td (Bench) Tj ET\n" + line * ((size - 1500) // len(line))
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115
    with handle:
        writer.write(handle)
    return handle.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--mb", type=float, default=19.9, help="file size in MB (limit: 20)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    os.environ["STEGVIS_DOCUMENTS_ROOT"] = tempfile.mkdtemp(prefix="stegvis-bench-documents-")
    _setup(args.db)

    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import Organisation, Role
    from documents.files import document_content
    from documents.services import document_upload
    from tests.factories import make_participant, user_with_role

    size = int(args.mb * MEGABYTE)
    path = _pdf_of_size(size)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        enterprise = Organisation.objects.create(kind=Organisation.Kind.ENTERPRISE, name="Bench")
        manager = user_with_role(Role.MANAGER, enterprise, username="bench_manager")
        participant = make_participant(organisation=enterprise, acting_user=manager)

        def read_whole():
            with open(path, "rb") as handle:
                return len(handle.read())

        def upload():
            with open(path, "rb") as handle:
                return document_upload(
                    participant=participant,
                    file=handle,
                    file_name="bench.pdf",
                    kind="decision",
                    document_date=date(2026, 1, 5),
                    acting_user=manager,
                )

        def download(document):
            total = 0
            for chunk in document_content(document):
                total += len(chunk)
            return total

        whole = _measure(read_whole)
        uploaded = _measure(upload)
        document = uploaded.pop("result")
        downloaded = _measure(lambda: download(document))
        size = os.path.getsize(path)
        assert downloaded["result"] == size, "the download did not return the whole file"
        whole.pop("result")
        downloaded.pop("result")
        results = {
            "file_mb": round(size / MEGABYTE, 2),
            "db": _database_version(connection),
            "python": platform.python_version(),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform()},
            "read_whole": whole,
            "upload": uploaded,
            "download": downloaded,
            "upload_peak_vs_file_ratio": round(uploaded["peak_mb"] * MEGABYTE / size, 3),
            "download_peak_vs_file_ratio": round(downloaded["peak_mb"] * MEGABYTE / size, 3),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        os.unlink(path)
    text = json.dumps(results, indent=2)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
