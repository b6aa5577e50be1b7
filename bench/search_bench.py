"""Search benchmark on PostgreSQL: ranked search against a plain icontains scan.

    createdb -h 127.0.0.1 -U postgres policyhub_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_bench \\
        .venv/bin/python bench/search_bench.py --notices 20000

Migrates the database, tops the corpus up to --notices with generate_corpus, picks rare, medium
and common words by document frequency, and times 1-, 2- and 3-word queries three ways:

- page: the list page ``/notices/?q=…`` through django.test.Client (filter form, ranking,
  count, pagination, snippets, template);
- queryset: ``Notice.objects.published().search(parse_query(q))[:20]`` evaluated, without the
  long columns no list page reads (``NoticeQuerySet.LIST_DEFERRED``: the stored search words);
- scan: what search would be without an index: every word ``icontains`` in the title, the
  preamble or a unit's text (AND), newest first, a page of 20 plus the count, as a page needs.

Prints the corpus size, the words with their document frequency, and one table (median and
p95 in milliseconds, scan ÷ page and scan ÷ queryset on medians). --explain adds EXPLAIN
ANALYZE of the search SQL and each statement the page runs, for one query of each class.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from common import p95, print_class_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from documents import search  # noqa: E402
from documents.models import Notice, NoticeQuerySet, Section  # noqa: E402

# Document frequency bands, as shares of the published notices.
CLASSES = {"rare": (0.0005, 0.005), "medium": (0.02, 0.10), "common": (0.40, 1.0)}
QUERIES_PER_CELL = 10
# The hard cases, explained with --explain whatever their band.
FIXED_WORDS = ["发展", "国务院"]
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=20000, help="corpus size to reach")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query class")
    parser.add_argument("--scan-repeat", type=int, default=3, help="timed scans per class")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow parts")
    parser.add_argument("--explain-only", action="store_true", help="EXPLAIN, no timings")
    return parser.parse_args()


def prepare(notices: int, seed: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("search_bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    missing = notices - Notice.objects.count()
    if missing > 0:
        print(f"Generating {missing} notices …")
        call_command("generate_corpus", notices=missing, seed=seed)
        print()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE documents_notice")
        cursor.execute("VACUUM ANALYZE documents_section")
        cursor.execute("VACUUM ANALYZE documents_searchentry")


def corpus_size() -> dict:
    """Rows and sizes, with every GIN or RUM index of the app's tables (the search index)."""
    sizes = {
        "notices": Notice.objects.count(),
        "published": Notice.objects.published().count(),
        "units": Section.objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_total_relation_size('documents_notice')),"
            " pg_size_pretty(pg_total_relation_size('documents_section'))"
        )
        database, notices, sections = cursor.fetchone()
        sizes["database"] = database
        sizes["notice table (with TOAST, indexes)"] = notices
        sizes["section table (with TOAST, indexes)"] = sections
        cursor.execute(
            "SELECT indexname, pg_size_pretty(pg_relation_size(indexname::regclass))"
            " FROM pg_indexes WHERE tablename LIKE 'documents%%'"
            " AND (indexdef ILIKE '%% USING gin %%' OR indexdef ILIKE '%% USING rum %%')"
            " ORDER BY indexname"
        )
        for name, size in cursor.fetchall():
            sizes[f"index {name}"] = size
    return sizes


def published_vectors_sql() -> str:
    """The tsvectors of the published notices, wherever this version of the schema keeps them."""
    if any(field.name == "search_vector" for field in Notice._meta.get_fields()):
        return "SELECT search_vector FROM documents_notice WHERE status = 'published'"
    return "SELECT vector FROM documents_searchentry WHERE is_published"


def document_frequencies() -> dict[str, int]:
    """Each indexed word and the number of published notices that contain it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [published_vectors_sql()])
        return {
            word: ndoc
            for word, ndoc in cursor.fetchall()
            if _HAN.match(word) and word not in search.QUERY_STOPWORDS
        }


def pick_queries(df: dict[str, int], published: int, rng: random.Random) -> dict:
    """For each class and word count, queries of words from that class that occur together.

    Words are drawn from one notice that holds the first word, so multi-word AND queries
    find something, as readers' queries do; each word must come back from parse_query alone.
    """
    queries = {}
    for name, (low, high) in CLASSES.items():
        band = sorted(w for w, n in df.items() if low * published <= n <= high * published)
        band = [w for w in band if search.parse_query(w).words == [w]]
        for size in (1, 2, 3):
            picked, attempts = [], 0
            while len(picked) < QUERIES_PER_CELL and attempts < 200 and band:
                attempts += 1
                first = rng.choice(band)
                words = [first, *_companions(first, set(band), size - 1, rng)]
                if len(words) == size and words not in picked:
                    picked.append(words)
            queries[(name, size)] = picked
    return queries


def _companions(word: str, band: set, count: int, rng: random.Random) -> list[str]:
    if not count:
        return []
    notice = (
        Notice.objects.published()
        .search(search.parse_query(word))
        .order_by("id")
        .values_list("search_title", "search_headings", "search_body")
    )
    total = notice.count()
    if not total:
        return []
    text = " ".join(notice[rng.randrange(total)])
    others = sorted(set(text.split()) & band - {word})
    return rng.sample(others, count) if len(others) >= count else []


def page(client: Client, q: str) -> None:
    response = client.get("/notices/", {"q": q})
    assert response.status_code == 200, response.status_code


def ranked(q: str) -> list:
    """The top 20 notices, with the columns a list page reads (not the stored search words)."""
    matches = Notice.objects.published().search(search.parse_query(q))
    return list(matches.defer(*NoticeQuerySet.LIST_DEFERRED)[:20])


def scan(q: str) -> tuple[int, list]:
    matches = Notice.objects.published()
    for word in q.split():
        in_units = Section.objects.filter(text__icontains=word).values("notice_id")
        matches = matches.filter(
            Q(title__icontains=word) | Q(preamble__icontains=word) | Q(id__in=in_units)
        )
    return matches.count(), list(matches.newest_first()[:20])


def timed(function, queries: list[str], runs: int, warm_up: int | None = None) -> list[float]:
    """Milliseconds of ``runs`` calls, cycling through the queries (the first ``warm_up``
    queries, all by default, run once untimed first)."""
    for q in queries[:warm_up]:
        function(q)
    times = []
    for i in range(runs):
        q = queries[i % len(queries)]
        start = time.perf_counter()
        function(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def hits(q: str) -> int:
    """How many published notices match (the total a page reports)."""
    published, query = Notice.objects.published(), search.parse_query(q)
    if hasattr(published, "search_with_total"):
        matches, total = published.search_with_total(query)
        return matches.count() if total is None else total
    return published.search(query).count()


def explain(q: str, client: Client) -> None:
    """EXPLAIN ANALYZE of each statement the ranked queryset runs (under the SET LOCALs it ran
    with), then every statement of the list page with its time."""
    print(f"\n=== {q!r} ===")
    with CaptureQueriesContext(connection) as captured:
        ranked(q)
    settings = []
    for statement in captured.captured_queries:
        sql = statement["sql"]
        if sql.upper().startswith("SET "):
            settings.append(sql)
        if not sql.upper().startswith(("SELECT", "WITH")):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"-- ranked queryset statement: {sql[:200]}")
            print("\n".join(row[0] for row in cursor.fetchall()))
    with CaptureQueriesContext(connection) as captured:
        page(client, q)
    print("-- statements of the list page (ms, first 160 characters)")
    for statement in captured.captured_queries:
        print(f"{float(statement['time']) * 1000:8.1f}  {statement['sql'][:160]}")


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    prepare(args.notices, args.seed)
    sizes = corpus_size()
    print("Corpus")
    for key, value in sizes.items():
        print(f"  {key:38} {value}")

    started = time.perf_counter()
    df = document_frequencies()
    elapsed = time.perf_counter() - started
    print(f"  {'distinct words (2–4 Han characters)':38} {len(df)} (ts_stat {elapsed:.1f} s)")
    queries = pick_queries(df, sizes["published"], rng)

    print("\nWords by class (document frequency among published notices)")
    for name in CLASSES:
        words = sorted({w for size in (1, 2, 3) for q in queries[(name, size)] for w in q})
        shown = ", ".join(f"{w} {df[w]}" for w in sorted(words, key=df.get)[:24])
        print(f"  {name:7} {shown}")
    print("  fixed   " + ", ".join(f"{w} {df.get(w, 0)}" for w in FIXED_WORDS))

    client = Client()
    if not args.explain_only:
        print_table(measure(queries, client, args), args)
    if args.explain or args.explain_only:
        for name in CLASSES:
            for size in (1, 3):
                if queries[(name, size)]:
                    explain(" ".join(queries[(name, size)][0]), client)
        for word in FIXED_WORDS:
            explain(word, client)


def measure(queries: dict, client: Client, args) -> list:
    rows = []
    for (name, size), picked in queries.items():
        texts = [" ".join(words) for words in picked]
        if not texts:
            rows.append((name, size, None))
            continue
        matched = statistics.median(hits(q) for q in texts)
        page_ms = timed(lambda q: page(client, q), texts, args.repeat)
        ranked_ms = timed(ranked, texts, args.repeat)
        scan_ms = timed(scan, texts[: args.scan_repeat], args.scan_repeat, warm_up=1)
        rows.append((name, size, (matched, page_ms, ranked_ms, scan_ms)))
        print(f"  measured {name} {size}-word ({len(texts)} queries)", file=sys.stderr)
    return rows


def print_table(rows: list, args) -> None:
    print(
        f"\nTimes in ms; page and queryset: {args.repeat} runs per row over "
        f"{QUERIES_PER_CELL} queries; scan: {args.scan_repeat} runs"
    )
    header = (
        f"{'hits':>7} │ {'page p50':>8} {'p95':>7} │ "
        f"{'qs p50':>7} {'p95':>7} │ {'scan p50':>9} {'p95':>8} │ {'scan÷page':>9} {'scan÷qs':>8}"
    )

    def cells(result) -> str:
        matched, page_ms, ranked_ms, scan_ms = result
        page50, ranked50, scan50 = map(statistics.median, (page_ms, ranked_ms, scan_ms))
        return (
            f"{matched:>7.0f} │ {page50:8.1f} {p95(page_ms):7.1f} │ "
            f"{ranked50:7.1f} {p95(ranked_ms):7.1f} │ {scan50:9.1f} {p95(scan_ms):8.1f} │ "
            f"{scan50 / page50:8.1f}× {scan50 / ranked50:7.1f}×"
        )

    print_class_table(header, rows, cells)


if __name__ == "__main__":
    # The manifest static storage needs collectstatic; the page is measured without it.
    with override_settings(
        DEBUG=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        main()
