"""Overload test: gunicorn on loopback, driven past its capacity for a minute, then checked.

    .venv/bin/python bench/load_test.py                       # PostgreSQL policyhub_load
    .venv/bin/python bench/load_test.py --duration 60 --concurrency 256 --notices 2000

Prepares a PostgreSQL database (created if missing, migrated, the sample notices imported, and
topped up to --notices with generate_corpus), collects the static files, and starts gunicorn with
production settings (DJANGO_DEBUG=0): a few sync workers, a request timeout and a short listen
backlog, so that excess connections wait in the kernel's queue instead of failing in Django.

The client is asyncio in this process: --concurrency connections, each sending one request after
another for --duration seconds (a mix of home, list, detail, search and filtered list pages),
then waiting for every request in flight. It reports requests/s, latency percentiles, status
counts and client errors, the RSS of each gunicorn worker sampled every second, and then:

- recovery: sequential requests after the load answer as fast as the same requests before it;
- integrity: each notice's view count went up by exactly the number of 200 detail responses
  the client received for it (no lost update), and a worker killed by the timeout is reported.

gunicorn's own log goes to $TMPDIR/policyhub-load-test-gunicorn.log. Exit status 1 if a check
fails.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

from common import free_port, percentile

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN_LOG = Path(tempfile.gettempdir()) / "policyhub-load-test-gunicorn.log"
SEARCH_WORDS = ["区域", "发展", "创新", "一带一路", "改革 试点", "高新技术", "国务院", "扶贫"]
# Shares of the request mix, by kind of page.
MIX = {"home": 10, "list": 15, "detail": 45, "search": 15, "filtered": 15}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/policyhub_load"
    )
    parser.add_argument("--notices", type=int, default=2000, help="corpus size to reach")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=256, help="client connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=int, default=30, help="gunicorn worker timeout (s)")
    parser.add_argument("--backlog", type=int, default=128, help="gunicorn listen backlog")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--client-timeout", type=float, default=90.0, help="per request (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args()


# --- Preparing the database and the server --------------------------------------------------


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS.
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    return env


def manage(env, *command, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def create_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def prepare(args, env) -> None:
    print("Preparing the database and static files …", flush=True)
    create_database(args.database_url)
    manage(env, "migrate", "--noinput")
    for folder in sorted((ROOT / "documents" / "sample_data").iterdir()):
        if folder.is_dir():  # (as `make sample-data`: uncategorized/ holds notices of no category)
            category = [] if folder.name == "uncategorized" else ["--category", folder.name]
            manage(env, "import_notices", str(folder), *category)
    count = int(
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "from documents.models import Notice as N;print(N.objects.count())",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    commands = subprocess.run(
        [PYTHON, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()
    if count < args.notices and "generate_corpus" in commands:
        print(f"  generating {args.notices - count} notices …", flush=True)
        manage(
            env, "generate_corpus", "--notices", str(args.notices - count), "--seed", str(args.seed)
        )
    manage(env, "collectstatic", "--noinput")


def start_gunicorn(args, env, probe="/") -> subprocess.Popen:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "policyhub.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--timeout",
        str(args.timeout),
        "--graceful-timeout",
        "10",
        # Connections beyond the workers wait in the kernel's accept queue; past the backlog
        # the kernel drops the SYN and the client retries: load is queued or shed, not failed.
        "--backlog",
        str(args.backlog),
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    log = open(GUNICORN_LOG, "w")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _, _ = asyncio.run(fetch(args.port, probe, timeout=60))
                if status == 200:
                    return server
            except (OSError, NotSent):
                time.sleep(0.3)
    except BaseException:
        server.terminate()
        raise
    server.terminate()
    sys.exit(f"gunicorn did not start or answer within 120 s; see {GUNICORN_LOG}")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- The client -----------------------------------------------------------------------------


class NotSent(Exception):
    """The request never reached the server (no connection within the timeout): shed load."""


async def fetch(port: int, path: str, timeout: float) -> tuple[int, bytes, float]:
    """One GET on a new connection (gunicorn's sync workers close after each response)."""
    started = time.perf_counter()
    sent = False

    async def exchange():
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                "Accept-Encoding: identity\r\n\r\n".encode()
            )
            await writer.drain()
            sent = True
            data = await reader.read()
        finally:
            writer.close()
        return data

    try:
        data = await asyncio.wait_for(exchange(), timeout)
    except (TimeoutError, OSError) as error:
        if not sent:
            raise NotSent(type(error).__name__) from error
        raise
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise ConnectionError("no HTTP response")
    return int(head.split(b" ", 2)[1]), body, time.perf_counter() - started


def url_mix(notice_ids, categories, rng):
    """A function giving the next (kind, path, notice id or None) of the request mix."""
    kinds = [kind for kind, share in MIX.items() for _ in range(share)]
    detail_ids = notice_ids[:200]  # some notices are read many times: contended counters

    def next_url():
        kind = rng.choice(kinds)
        if kind == "home":
            return kind, "/", None
        if kind == "list":
            return kind, f"/notices/?page={rng.randint(1, 5)}", None
        if kind == "detail":
            pk = rng.choice(detail_ids)
            return kind, f"/notices/{pk}/", pk
        if kind == "search":
            return kind, "/notices/?" + urlencode({"q": rng.choice(SEARCH_WORDS)}), None
        query = rng.choice(
            [
                {"category": rng.choice(categories), "sort": "views"},
                {"year": rng.randint(2010, 2024), "validity": "current"},
                {"sort": "oldest", "page": 2},
                {"doc_number": "2016", "date_after": "2015-01-01"},
            ]
        )
        return kind, "/notices/?" + urlencode(query), None

    return next_url


async def drive(args, next_url, server_pid):
    stats = {
        "by_status": Counter(),
        "by_kind": defaultdict(Counter),
        "latency": defaultdict(list),
        "errors": Counter(),
        "detail_ok": Counter(),
        "detail_unsure": Counter(),
        "rss": defaultdict(list),
        "sent": 0,
    }
    stop_at = time.monotonic() + args.duration

    async def client():
        while time.monotonic() < stop_at:
            kind, path, pk = next_url()
            stats["sent"] += 1
            try:
                status, body, seconds = await fetch(args.port, path, args.client_timeout)
            except NotSent as error:
                stats["errors"][f"not sent ({error})"] += 1
                stats["by_kind"][kind]["not sent"] += 1
                continue
            except (TimeoutError, OSError, ValueError) as error:
                stats["errors"][type(error).__name__] += 1
                stats["by_kind"][kind]["error"] += 1
                if pk is not None:
                    # The server may have counted the view before the failure.
                    stats["detail_unsure"][pk] += 1
                continue
            stats["by_status"][status] += 1
            stats["by_kind"][kind][status] += 1
            stats["latency"][kind].append(seconds)
            if pk is not None and status == 200:
                stats["detail_ok"][pk] += 1

    async def sample_memory():
        while time.monotonic() < stop_at:
            for pid in worker_pids(server_pid):
                value = rss_mb(pid)
                if value is not None:
                    stats["rss"][pid].append(value)
            await asyncio.sleep(1)

    started = time.monotonic()
    memory = asyncio.create_task(sample_memory())
    await asyncio.gather(*(client() for _ in range(args.concurrency)))
    stats["elapsed"] = time.monotonic() - started
    await memory
    return stats


async def sequential(port, paths, timeout=10.0):
    times, statuses = [], Counter()
    for path in paths:
        status, _, seconds = await fetch(port, path, timeout)
        statuses[status] += 1
        times.append(seconds)
    return times, statuses


# --- Reporting ------------------------------------------------------------------------------


def shell_json(env, code: str):
    """Run ``code`` in ``manage.py shell`` against the test's database; what it printed, as JSON.
    The code gets ``json``, ``N`` (Notice) and ``C`` (Category)."""
    prelude = "import json; from documents.models import Notice as N, Category as C;"
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", prelude + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def view_counts(env) -> dict[int, int]:
    counts = shell_json(
        env, "print(json.dumps(dict(N.objects.with_view_counts().values_list('id', 'view_count'))))"
    )
    return {int(pk): count for pk, count in counts.items()}


def published_ids_and_categories(env):
    ids, slugs = shell_json(
        env,
        "ids = N.objects.published().order_by('id').values_list('id', flat=True);"
        "print(json.dumps([list(ids), list(C.objects.values_list('slug', flat=True))]))",
    )
    return ids, slugs


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    env = server_env(args)
    prepare(args, env)
    notice_ids, categories = published_ids_and_categories(env)
    print(f"  {len(notice_ids)} published notices, {len(categories)} categories", flush=True)
    next_url = url_mix(notice_ids, categories, rng)
    probe = ["/", f"/notices/{notice_ids[0]}/", "/notices/?" + urlencode({"q": "区域"})] * 7

    args.port = args.port or free_port()
    with socket.socket() as taken:
        if taken.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"Port {args.port} is already served by another program; choose --port.")
    # View counts before the server starts and after it stops (each reading is written by its
    # own statement: documents/readings.py).
    counts_before = view_counts(env)
    server = start_gunicorn(args, env)
    failures = []
    try:
        before_times, _ = asyncio.run(sequential(args.port, probe))
        idle_rss = {pid: rss_mb(pid) for pid in worker_pids(server.pid)}
        print(
            f"Driving gunicorn ({args.workers} workers, timeout {args.timeout}s, backlog "
            f"{args.backlog}) with {args.concurrency} connections for {args.duration:.0f}s …",
            flush=True,
        )
        stats = asyncio.run(drive(args, next_url, server.pid))
        # Every request has been answered or failed; let a worker finish what it had read.
        time.sleep(2)
        after_times, after_statuses = asyncio.run(sequential(args.port, probe))
        # The probes read the first notice 7 times each, before and after.
        probe_views = Counter({notice_ids[0]: 14})
        restarted = [
            line
            for line in open(GUNICORN_LOG)
            if "WORKER TIMEOUT" in line or "Booting worker" in line
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    counts_after = view_counts(env)

    done = sum(stats["by_status"].values())
    all_latency = [s for values in stats["latency"].values() for s in values]
    report = {
        "requests_sent": stats["sent"],
        "responses": done,
        "requests_per_second": done / stats["elapsed"],
        "latency_ms": {
            f"p{int(p * 100)}": round(percentile(all_latency, p) * 1000, 1)
            for p in (0.5, 0.9, 0.95, 0.99)
        }
        | {"max": round(max(all_latency, default=0) * 1000, 1)},
        "latency_p50_ms_by_kind": {
            kind: round(statistics.median(values) * 1000, 1)
            for kind, values in sorted(stats["latency"].items())
        },
        "status_counts": dict(sorted(stats["by_status"].items())),
        "client_errors": dict(stats["errors"]),
        "by_kind": {kind: dict(counter) for kind, counter in sorted(stats["by_kind"].items())},
        "worker_rss_mb": {
            str(pid): {
                "idle": round(idle_rss.get(pid) or 0, 1),
                "min": round(min(values), 1),
                "max": round(max(values), 1),
            }
            for pid, values in stats["rss"].items()
        },
        "gunicorn_log": [line.strip() for line in restarted][:20],
    }

    # Recovery: after the load, the probe pages answer within normal time and all with 200.
    before_p50, after_p50 = statistics.median(before_times), statistics.median(after_times)
    report["recovery"] = {
        "probe_p50_ms_before": round(before_p50 * 1000, 1),
        "probe_p50_ms_after": round(after_p50 * 1000, 1),
        "probe_statuses_after": dict(after_statuses),
    }
    if set(after_statuses) != {200} or after_p50 > max(2 * before_p50, before_p50 + 0.05):
        failures.append("the server did not recover: probes after the load are slow or failing")

    # Integrity: every 200 detail response counted once, and nothing else counted.
    lost, extra, unsure_used = {}, {}, 0
    for pk in set(counts_after) | set(stats["detail_ok"]):
        delta = counts_after.get(pk, 0) - counts_before.get(pk, 0) - probe_views.get(pk, 0)
        ok = stats["detail_ok"].get(pk, 0)
        unsure = stats["detail_unsure"].get(pk, 0)
        if delta < ok:
            lost[pk] = ok - delta
        elif delta > ok + unsure:
            extra[pk] = delta - ok
        unsure_used += delta - ok if ok < delta <= ok + unsure else 0
    report["integrity"] = {
        "detail_200_responses": sum(stats["detail_ok"].values()),
        "view_count_increase": sum(counts_after.values())
        - sum(counts_before.values())
        - sum(probe_views.values()),
        "notices_with_lost_views": len(lost),
        "notices_with_unexplained_views": len(extra),
        "views_counted_for_failed_requests": unsure_used,
    }
    if lost or extra:
        failures.append(f"view counts disagree: lost {lost}, unexplained {extra}")
    if any(status >= 500 for status in stats["by_status"]):
        failures.append("the server answered with 5xx under load")

    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("OK: no 5xx, recovered, no lost or unexplained view counts")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
