"""python -m bench --scale N --db sqlite|postgres [--only CASE[,CASE]] [--json FILE]

Builds (or reuses) the data set at scale N through the bulk paths (demo.bulk),
measures every case (median, p95, queries, peak memory), prints a Markdown
table and the side-by-side ratios, and writes the results as JSON.

    python -m bench --compare A.json B.json   # ratios B / A per case (e.g. 100k vs 10k)

See docs/performance.md for the method and the latest numbers.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cases import RESULT_KEYS, Result

#: Benchmark modules other engineers own; run in their own process when present.
MODULES = ("encryption", "audit", "reports", "documents", "notifications", "funding")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine(db_version: str) -> dict:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "database": db_version,
        "platform": platform.platform(),
    }


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def run_module(name: str, args, scale: int) -> Result:
    """Run bench.<name> in its own process with the flags it understands; one summary row."""
    command = [sys.executable, "-m", f"bench.{name}"]
    helptext = subprocess.run(  # noqa: S603 (our own module)
        [*command, "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    if "--n " in helptext or "--n N" in helptext:
        command += ["--n", str(min(scale, 10_000))]
    elif "--scale" in helptext:
        command += ["--scale", str(scale)]
    if "--db" in helptext:
        command += ["--db", args.db]
    if "--json" in helptext:
        command += ["--json", out]
    log(f"  module bench.{name}: {' '.join(command[2:])}")
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 (our own module)
        command, capture_output=True, text=True, timeout=3600
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["?"]
        return Result(
            f"module.{name}", scale, args.db, None, None, None, None, f"error: {tail[0]}"[:300]
        )
    data = {}
    try:
        data = json.loads(Path(out).read_text())
    except (OSError, ValueError):
        pass
    finally:
        Path(out).unlink(missing_ok=True)
    found = {}

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        elif isinstance(node, int | float) and re.search(r"_vs_|ratio|per_second", path):
            found[path] = round(node, 3)

    walk(data, "")
    note = "; ".join(f"{key} {value}" for key, value in list(found.items())[:12])
    return Result(
        f"module.{name}",
        scale,
        args.db,
        round(seconds * 1000, 1),
        None,
        None,
        None,
        note or "ran; see its own output",
        extra={"ratios": found} if found else {},
    )


def markdown(results: list[Result], ratios) -> str:
    lines = [
        "| case | median ms | p95 ms | CPU ms | queries | peak MB | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def cell(value):
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    for result in results:
        lines.append(
            f"| {result.case} | {cell(result.median_ms)} | {cell(result.p95_ms)} | "
            f"{cell(result.extra.get('cpu_ms'))} | "
            f"{cell(result.queries)} | {cell(result.peak_mb)} | {result.note} |"
        )
    if ratios:
        lines += ["", "| ratio (same run) | value | meaning |", "|---|---:|---|"]
        lines += [f"| {name} | {value:.2f} | {meaning} |" for name, value, meaning in ratios]
    return "\n".join(lines)


def compare(first: str, second: str) -> int:
    """Print second / first per case: median, p95 and queries."""

    def load(path):
        rows = json.loads(Path(path).read_text())
        rows = rows["results"] if isinstance(rows, dict) else rows
        return {re.sub(r"\[.*\]$", "", row["case"]): row for row in rows}

    a, b = load(first), load(second)
    print(f"| case | {first} median | {second} median | ratio | queries | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in a.items():
        other = b.get(name)
        if not other or not row.get("median_ms") or not other.get("median_ms"):
            continue
        ratio = other["median_ms"] / row["median_ms"]
        print(
            f"| {name} | {row['median_ms']} | {other['median_ms']} | {ratio:.2f} | "
            f"{row.get('queries')} | {other.get('queries')} |"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stegvis benchmark harness")
    parser.add_argument("--scale", type=int, default=1000, help="participants (1000, 10000, …)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated case prefixes, or module names: " + ", ".join(MODULES),
    )
    parser.add_argument(
        "--skip",
        default="",
        help=(
            "comma-separated case names (or prefixes) or variants (the part after the "
            "colon, e.g. generic_guardian_10x) to leave out"
        ),
    )
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="build the data set afresh")
    parser.add_argument("--no-modules", action="store_true", help="skip bench.encryption etc.")
    parser.add_argument("--sqlite-path", help="a SQLite file instead of var/bench (smoke test)")
    parser.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"))
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="after each page case's timed repeats, profile as many more with "
        "pyinstrument and write DIR/<case>.txt (the timings are not affected)",
    )
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)

    from bench import data

    data.configure(args.scale, args.db, args.sqlite_path)
    manifest = data.ensure_dataset(args.scale, args.db, rebuild=args.rebuild, log=log)

    from bench.cases import Harness, ratios

    # No setup_test_environment(): it instruments every template render (a signal
    # and a copy of the context per template, widget templates included), which
    # production does not pay. The test client works without it.
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    page_prefixes = {name for name in only if name not in MODULES}
    version = database_version()
    log(
        f"bench: {args.scale} participants on {version}; warm-up {args.warmup}, "
        f"{args.repeats} repeats; load average {os.getloadavg()[0]:.1f}"
    )
    load_before = os.getloadavg()
    results: list[Result] = []
    if not only or page_prefixes:
        harness = Harness(
            manifest=manifest,
            scale=args.scale,
            db=args.db,
            warmup=args.warmup,
            repeats=args.repeats,
            log=log,
            profile_dir=Path(args.profile) if args.profile else None,
        )
        skip = {part.strip() for part in args.skip.split(",") if part.strip()}
        results += harness.run(page_prefixes or None, skip=skip)
    if not args.no_modules:
        for name in MODULES:
            if only and name not in only:
                continue
            if not (Path(__file__).parent / f"{name}.py").exists():
                log(f"  skip module.{name}: bench/{name}.py does not exist yet")
                if name in only:
                    results.append(
                        Result(
                            f"module.{name}",
                            args.scale,
                            args.db,
                            None,
                            None,
                            None,
                            None,
                            f"skipped: bench/{name}.py does not exist yet",
                        )
                    )
                continue
            results.append(run_module(name, args, args.scale))
    found_ratios = ratios(results)
    print(markdown(results, found_ratios))
    if args.json:
        rows = [result.as_dict() for result in results]
        payload = rows
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        meta = {
            "machine": machine(version),
            "scale": args.scale,
            "db": args.db,
            "load_average": {"before": load_before, "after": os.getloadavg()},
            "build_seconds": manifest.get("build_seconds"),
            "counts": manifest.get("counts"),
            "ratios": [{"name": n, "value": round(v, 3), "meaning": m} for n, v, m in found_ratios],
            "keys": list(RESULT_KEYS),
        }
        Path(args.json).with_suffix(".meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        log(f"bench: wrote {args.json} (and {Path(args.json).with_suffix('.meta.json').name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
