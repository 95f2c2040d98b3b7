"""Smoke run of the benchmark harness at a tiny scale: it runs and writes its JSON.

Never a timing assertion: timing belongs in bench/, and CI machines differ.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.cases import RESULT_KEYS

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_run_writes_every_key(tmp_path):
    out = tmp_path / "bench.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    completed = subprocess.run(  # noqa: S603 (our own module)
        [
            sys.executable,
            "-m",
            "bench",
            "--scale",
            "30",
            "--db",
            "sqlite",
            "--sqlite-path",
            str(tmp_path / "bench.sqlite3"),
            "--warmup",
            "1",
            "--repeats",
            "2",
            "--no-modules",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert rows, "no cases measured"
    for row in rows:
        assert set(RESULT_KEYS) <= set(row), row
    measured = [row for row in rows if row["median_ms"] is not None]
    # The core pages exist; a case that cannot run says why in its note.
    assert {row["case"] for row in measured} >= {"participant_list.manager", "home.supervisor"}
    assert all(row.get("note") for row in rows if row["median_ms"] is None)
    assert "| case |" in completed.stdout
