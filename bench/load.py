"""Load check: gunicorn with production settings against the PostgreSQL bench data set.

    python -m bench.load --scale 10000 --users 20 --seconds 60 [--json FILE]

Starts gunicorn (4 workers, ``config/gunicorn.conf.py``) on a free port on
127.0.0.1 with ``DJANGO_ENV=production`` and the bench keys, signs in ``--users``
supervisors by writing their sessions straight into the session store (secure
cookies are not sent over plain http, so the cookie is sent by hand), and lets
one thread per user request their home page, participant list and one of
their participants' records in turn, for ``--seconds`` or ``--max-requests``,
whichever comes first. Reports throughput, p50/p95/p99 per page and overall,
and every error (any status but 200, or a failed connection). Stops everything
it started.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.cases import percentile

BASE_DIR = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_sessions(count: int) -> list[dict]:
    """Sessions for ``count`` supervisors as sign-in leaves them (second factor passed)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
    from accounts.models import User
    from accounts.services import totp_device_create
    from participants.selectors import participant_list_for

    supervisors = list(
        User.objects.filter(username__endswith=".supervisor").order_by("username")[:count]
    )
    if len(supervisors) < count:
        raise SystemExit(f"only {len(supervisors)} supervisors in the data set")
    sessions = []
    now = timezone.now().timestamp()
    for user in supervisors:
        participant = participant_list_for(user=user).order_by("pk").first()
        if participant is None:
            continue
        device, _secret = totp_device_create(user=user, confirmed=True, replace=True)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[SIGNED_IN_AT] = now
        store[LAST_SEEN_AT] = now
        store.create()
        sessions.append(
            {
                "user": user.username,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
                "paths": {
                    "home": reverse("home"),
                    "participant_list": reverse("participants:list"),
                    "participant_detail": reverse(
                        "participants:detail", kwargs={"participant_id": participant.pk}
                    ),
                },
            }
        )
    return sessions


def start_gunicorn(port: int, workers: int, env: dict, logfile) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(BASE_DIR / "config" / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        "config.wsgi",
    ]
    process = subprocess.Popen(  # noqa: S603 (our own server, loopback only)
        command, cwd=BASE_DIR, env=env, stdout=logfile, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /health/ within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by these processes (those still alive)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy so far (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def server_pids(server: subprocess.Popen) -> list[int]:
    """gunicorn's master and workers."""
    try:
        with open(f"/proc/{server.pid}/task/{server.pid}/children") as handle:
            children = [int(pid) for pid in handle.read().split()]
    except OSError:
        children = []
    return [server.pid, *children]


def run_load(port: int, sessions: list[dict], seconds: float, max_requests: int) -> dict:
    lock = threading.Lock()
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    issued = [0]
    deadline = time.perf_counter() + seconds

    def user_loop(session: dict) -> None:
        pages = list(session["paths"].items())
        turn = 0
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            page, path = pages[turn % len(pages)]
            turn += 1
            try:
                status, elapsed = fetch(port, path, session["cookie"])
            except OSError as error:
                with lock:
                    errors.append(f"{page}: {error.__class__.__name__}: {error}")
                continue
            with lock:
                if status != 200:
                    errors.append(f"{page}: HTTP {status}")
                else:
                    samples.setdefault(page, []).append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=user_loop, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.perf_counter() - started

    def summary(values: list[float]) -> dict:
        if not values:
            return {"requests": 0}
        return {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
        }

    everything = [value for values in samples.values() for value in values]
    return {
        "seconds": round(wall, 1),
        "users": len(sessions),
        "requests": len(everything) + len(errors),
        "throughput_rps": round((len(everything) + len(errors)) / wall, 1),
        "errors": len(errors),
        "error_examples": errors[:10],
        "overall": summary(everything),
        "pages": {page: summary(values) for page, values in sorted(samples.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load check with gunicorn on loopback")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2, help="requests per page and user first")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    from bench import data

    keys = data.bench_keys()
    # The same SECRET_KEY as the server: the session's auth hash depends on it.
    os.environ["DJANGO_SECRET_KEY"] = keys["DJANGO_SECRET_KEY"]
    data.configure(args.scale, "postgres")
    data.ensure_dataset(args.scale, "postgres", log=log)
    sessions = signed_in_sessions(args.users)

    from django.db import connections

    connections.close_all()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": keys["DJANGO_SECRET_KEY"],
        "FIELD_ENCRYPTION_KEYS": keys["FIELD_ENCRYPTION_KEYS"],
        "BLIND_INDEX_KEY": keys["BLIND_INDEX_KEY"],
        "DATABASE_URL": data.database_url(args.scale, "postgres"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    log("load: collectstatic (production storage needs the manifest)")
    subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    port = free_port()
    log_path = data.BENCH_DIR / "logs" / "gunicorn-load.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as logfile:
        server = start_gunicorn(port, args.workers, env, logfile)
        try:
            log(f"load: gunicorn ({args.workers} workers) on 127.0.0.1:{port}, pid {server.pid}")
            for session in sessions:
                for path in session["paths"].values():
                    for _ in range(args.warmup):
                        status, _elapsed = fetch(port, path, session["cookie"])
                        if status != 200:
                            raise SystemExit(f"warm-up {path} for {session['user']}: HTTP {status}")
            log(f"load: {len(sessions)} users for {args.seconds:.0f} s")
            # Where the machine's CPU goes, per request: the app server, the
            # database backends of the bench database, and this load generator
            # (all on the same cores; see docs/performance.md).
            # PostgreSQL's share is what the machine spent beyond the app server
            # and the generator (its backends may come and go during the run, so
            # their own counters cannot be summed reliably); it includes the
            # kernel's work and anything else running.
            app = server_pids(server)
            before = (machine_busy_seconds(), cpu_seconds(app), time.process_time())
            result = run_load(port, sessions, args.seconds, args.max_requests)
            after = (machine_busy_seconds(), cpu_seconds(app), time.process_time())
            served = max(result["requests"], 1)
            machine, gunicorn, generator = (
                (end - start) * 1000 / served for start, end in zip(before, after, strict=True)
            )
            result["cpu_ms_per_request"] = {
                "machine": round(machine, 2),
                "gunicorn": round(gunicorn, 2),
                "load_generator": round(generator, 2),
                "postgresql_kernel_and_other": round(machine - gunicorn - generator, 2),
            }
        finally:
            stop(server)
            log("load: gunicorn stopped")
    result.update(
        scale=args.scale, workers=args.workers, db="postgres", load_average=os.getloadavg()
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
