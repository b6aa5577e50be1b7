"""The scale benchmark: every kind of page at several archive sizes, on PostgreSQL.

    .venv/bin/python bench/scale_bench.py \\
        --database 1k=postgres://postgres@127.0.0.1:5432/policyhub_1k \\
        --database 10k=postgres://postgres@127.0.0.1:5432/policyhub_10k \\
        --database 100k=postgres://postgres@127.0.0.1:5432/policyhub_100k

Each database must already hold a corpus (``manage.py generate_corpus --notices N``); the
script migrates it and runs ``VACUUM ANALYZE``, nothing else is written except view counts.

For each database, in a process of its own (settings bind the database at start-up):

- server time: every page through ``django.test.Client`` with the full middleware stack and
  the local-memory cache, one untimed request first (its time is printed as "first": what the
  first reader after a change waits), then ``--repeat`` timed requests; median, p95 and the
  number of SQL statements of the first request and of one more when warm ("sql" first/warm),
  each counted with the archive generation read as it is once a second in a server process
  (a page served from the page cache runs that one statement, or none in the same second);
- the pages: home; a category's list; the list filtered by issuer and year; a deep page of the
  list (90 % of the way to the last page); the detail page of a 60-unit notice; search with 1,
  2 and 3 words (words every size of corpus holds, common ones: the hard case); the RSS feed;
  the sitemap index and its first page of notices; and a minimal view (``/healthz``) as the
  floor: what Django's request cycle costs with no work;
- page weight: the detail page's HTML, CSS and JavaScript as a browser receives them from
  whitenoise and gzip, and uncompressed.

Then, through gunicorn on loopback (``--rps-seconds``, 0 to skip; needs ``wrk``: apt-get install
wrk) against the last database: requests per second of the detail page and of ``/healthz`` on
the same server, with their ratio.

Prints one table: median / p95 ms and statements per page and size, the growth of p95 from the
second-largest to the largest size (checked with both p95s taken as at least 1 ms: below that,
a page's p95 is the request cycle and the machine's noise), the budgets of issue 7 and whether
each is met.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import load_test
from common import free_port, p95

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Budgets at the largest size (issue 7), p95 in ms.
BUDGETS = {
    "category": 30,
    "filtered": 30,
    "deep page": 30,
    "detail (60 units)": 20,
    "search 1 word": 100,
    "search 2 words": 100,
    "search 3 words": 100,
}
MAX_GROWTH = 1.5
# p95 below this (ms) is the request cycle and the scheduler's noise, not the archive's size:
# the minimal view's own p95 moves by 0.2–0.7 ms between runs. Growth is checked above it.
NOISE_FLOOR_MS = 1.0
SEARCHES = {
    "search 1 word": "发展",
    "search 2 words": "发展 改革",
    "search 3 words": "发展 改革 创新",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="LABEL=URL",
        help="a corpus to measure, smallest first (repeat the option)",
    )
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page")
    parser.add_argument("--rps-seconds", type=int, default=15, help="wrk run per URL (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- in the child process: one database ---------------------------------------------------


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")
    import django

    django.setup()


def pages() -> dict[str, str]:
    """The URL of each measured page, chosen from what this corpus holds."""
    from django.db.models import Count
    from django.urls import reverse

    from documents.models import Category, IssuingBody, Notice

    published = Notice.objects.published()
    category = Category.objects.annotate(n=Count("notices")).order_by("-n", "menu_order").first()
    issuer = IssuingBody.objects.annotate(n=Count("led_notices")).order_by("-n", "name").first()
    year = (
        published.filter(lead_issuer=issuer, issued_date__isnull=False)
        .values_list("issued_date__year")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()[0]
    )
    last_page = max(1, -(-published.count() // 20))
    detail = (
        published.annotate(units=Count("sections")).filter(units=60).order_by("id").first()
        or published.annotate(units=Count("sections")).order_by("-units", "id").first()
    )
    urls = {
        "home": reverse("documents:home"),
        "category": category.get_absolute_url(),
        "filtered": f"{reverse('documents:notice-list')}?issuer={issuer.slug}&year={year}",
        "deep page": f"{reverse('documents:notice-list')}?page={max(1, last_page * 9 // 10)}",
        "detail (60 units)": detail.get_absolute_url(),
    }
    for name, q in SEARCHES.items():
        urls[name] = f"{reverse('documents:notice-list')}?q={q}"
    urls["feed (RSS)"] = reverse("documents:feed-rss")
    urls["sitemap index"] = reverse("sitemap")
    urls["sitemap notices p1"] = reverse("sitemap-section", args=["notices"]) + "?p=1"
    urls["minimal view"] = reverse("healthz")
    return urls


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection

    from documents.models import ArchiveGeneration

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    ArchiveGeneration.forget()  # read by this request, as once a second in a server
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = client.get(url)
    first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.content  # noqa: B018 — a streaming response renders here
        times.append((time.perf_counter() - started) * 1000)
    first_statements = len(statements)
    statements.clear()
    ArchiveGeneration.forget()
    with connection.execute_wrapper(count):
        client.get(url).content  # noqa: B018 — once more, untimed: the statements when warm
    return {
        "url": url,
        "first": first,
        "p50": statistics.median(times),
        "p95": p95(times),
        "queries": first_statements,
        "queries warm": len(statements),
        "bytes": len(response.content),
    }


def page_weight(client, url: str) -> dict:
    """The detail page with its stylesheets and scripts, as a browser that accepts gzip and
    brotli receives them: the HTML from Django, the assets as whitenoise serves them (the
    smallest of the files collectstatic compressed)."""
    from django.conf import settings

    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    html = response.content
    plain = client.get(url).content
    weight = {
        "html": len(plain),
        "html sent": len(html),
        "html encoding": response.get("Content-Encoding", "none"),
        "html gzip": len(gzip.compress(plain, 6)),
        "assets": [],
    }
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', plain)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', plain)
    for href in assets:
        path = href.decode()
        if not path.startswith(settings.STATIC_URL) and not path.startswith("/static/"):
            weight["assets"].append({"path": path, "third party": True})
            continue
        file = Path(settings.STATIC_ROOT) / path.split("?")[0].split("/static/", 1)[1]
        sizes = [file.stat().st_size] + [
            Path(f"{file}{ext}").stat().st_size
            for ext in (".gz", ".br")
            if Path(f"{file}{ext}").exists()
        ]
        weight["assets"].append({"path": path, "bytes": sizes[0], "sent": min(sizes)})
    return weight


def child(repeat: int) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from documents.models import Notice, Section

    if connection.vendor != "postgresql":
        raise SystemExit("scale_bench needs PostgreSQL databases")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    result = {
        "notices": Notice.objects.count(),
        "published": Notice.objects.published().count(),
        "units": Section.objects.count(),
        "database": size,
        "pages": {},
    }
    # The shipped settings (DEBUG off, manifest static files, a per-process cache), on loopback.
    with override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    ):
        client = Client()
        urls = pages()
        for name, url in urls.items():
            result["pages"][name] = measure(client, url, repeat)
            print(f"  {name:20} {result['pages'][name]['p50']:7.1f} ms", file=sys.stderr)
        result["weight"] = page_weight(client, urls["detail (60 units)"])
    print(json.dumps(result))


# --- in the parent process ----------------------------------------------------------------


def run_child(url: str, repeat: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
    env.setdefault("DJANGO_SECRET_KEY", "scale-bench-only")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
    env["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    output = subprocess.run(
        [PYTHON, __file__, "--child", "--repeat", str(repeat)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def throughput(url: str, paths: dict[str, str], args) -> dict:
    """Requests per second of each path through gunicorn, measured by wrk, one after another."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found (apt-get install wrk), or pass --rps-seconds 0")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "scale-bench-only"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    # load_test's start: production settings, and back only once the home page answers 200.
    server = load_test.start_gunicorn(
        argparse.Namespace(port=port, workers=args.workers, timeout=30, backlog=128), env
    )
    try:
        results = {}
        for name, path in paths.items():
            target = f"http://127.0.0.1:{port}{path}"
            # A warm-up, then the measured run.
            subprocess.run(["wrk", "-t2", "-c4", "-d2s", target], capture_output=True, check=True)
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{args.connections}",
                    f"-d{args.rps_seconds}s",
                    "--latency",
                    target,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
            results[name] = {
                "rps": rps,
                "non-2xx": int(errors[1]) if errors else 0,
                "p50 latency": f"{p50[1]}{p50[2]}" if p50 else "?",
            }
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(sizes: dict[str, dict], rps: dict) -> None:
    labels = list(sizes)
    print()
    for label, result in sizes.items():
        print(
            f"{label}: {result['notices']:,} notices ({result['published']:,} published), "
            f"{result['units']:,} units, database {result['database']}"
        )
    names = list(next(iter(sizes.values()))["pages"])
    header = "page                 │" + "│".join(
        f" {label:>6} p50    p95 first   sql " for label in labels
    )
    growth_label = f"{labels[-2]}→{labels[-1]}" if len(labels) > 1 else ""
    print()
    print(header + f"│ p95 {growth_label:>9} │ budget")
    print("─" * len(header) + "┼" + "─" * 15 + "┼" + "─" * 16)
    failures = []
    for name in names:
        cells = []
        for label in labels:
            page = sizes[label]["pages"][name]
            sql = f"{page['queries']}/{page['queries warm']}"
            cells.append(f" {page['p50']:10.1f} {page['p95']:6.1f} {page['first']:5.0f} {sql:>5} ")
        line = f"{name:20} │" + "│".join(cells)
        growth = ""
        if len(labels) > 1:
            before = sizes[labels[-2]]["pages"][name]["p95"]
            after = sizes[labels[-1]]["pages"][name]["p95"]
            ratio = after / before
            growth = f"{ratio:.2f}×"
            checked = max(after, NOISE_FLOOR_MS) / max(before, NOISE_FLOOR_MS)
            if after < NOISE_FLOOR_MS and ratio > MAX_GROWTH:
                growth = f"(<1 ms) {growth}"
            if checked > MAX_GROWTH and name != "minimal view":
                failures.append(f"{name}: p95 grew {ratio:.2f}× ({labels[-2]}→{labels[-1]})")
        budget = ""
        if name in BUDGETS:
            p95 = sizes[labels[-1]]["pages"][name]["p95"]
            met = p95 <= BUDGETS[name]
            budget = f"≤{BUDGETS[name]} ms {'met' if met else 'MISSED'}"
            if not met:
                failures.append(f"{name}: p95 {p95:.1f} ms > {BUDGETS[name]} ms")
        queries = {sizes[label]["pages"][name]["queries"] for label in labels}
        if len(queries) > 1:
            failures.append(f"{name}: statements differ by size {sorted(queries)}")
        print(f"{line}│ {growth:>13} │ {budget}")
    weight = sizes[labels[-1]]["weight"]
    print()
    print(f"Detail page weight ({labels[-1]}), to a browser that accepts gzip and br:")
    print(
        f"  HTML {weight['html']:,} bytes: sent by Django {weight['html sent']:,}"
        f" ({weight['html encoding']}), {weight['html gzip']:,} gzip (by a compressing proxy)"
    )
    assets = 0
    for asset in weight["assets"]:
        if asset.get("third party"):
            print(f"  {asset['path']}: THIRD PARTY")
            failures.append(f"third-party asset {asset['path']}")
            continue
        assets += asset["sent"]
        print(f"  {asset['path']}: {asset['bytes']:,} bytes, sent {asset['sent']:,} by whitenoise")
    print(
        f"  transferred, HTML + CSS + JS: {weight['html sent'] + assets:,} bytes from Django alone,"
        f" {weight['html gzip'] + assets:,} behind a compressing proxy"
    )
    if rps:
        print()
        print(f"Through gunicorn ({labels[-1]}), wrk:")
        for name, figures in rps.items():
            print(
                f"  {name:20} {figures['rps']:8.1f} req/s  p50 {figures['p50 latency']}"
                f"  non-2xx {figures['non-2xx']}"
            )
        ratio = rps["detail (60 units)"]["rps"] / rps["minimal view"]["rps"]
        print(f"  detail ÷ minimal view: {ratio:.0%} (budget ≥ 50 %)")
        if ratio < 0.5:
            failures.append(f"detail throughput {ratio:.0%} of the minimal view's")
    print()
    print("Budgets: all met" if not failures else "Budgets missed:\n  " + "\n  ".join(failures))


def main():
    args = parse_args()
    if args.child:
        child(args.repeat)
        return
    if not args.database:
        raise SystemExit("give at least one --database LABEL=URL")
    # The shipped static files (hashed names, gzip and brotli copies) that pages link to.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        env={**os.environ, "DJANGO_DEBUG": "1"},
        cwd=ROOT,
        check=True,
    )
    sizes = {}
    for spec in args.database:
        label, _, url = spec.partition("=")
        print(f"{label}: {url}", file=sys.stderr)
        sizes[label] = run_child(url, args.repeat)
    rps = {}
    if args.rps_seconds:
        last = sizes[list(sizes)[-1]]["pages"]
        paths = {name: last[name]["url"] for name in ("detail (60 units)", "minimal view")}
        rps = throughput(args.database[-1].partition("=")[2], paths, args)
    report(sizes, rps)
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, "rps": rps}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
