"""Search benchmark on PostgreSQL: speed and relevance of ranked search, against a plain scan.

    createdb -h 127.0.0.1 -U postgres policyhub_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_bench \\
        .venv/bin/python bench/search_bench.py --notices 20000

With SEARCH_URL set (a ``manage.py serve_search`` over the same database), the pages and the
"queryset" column are ranked by the search service, as the list pages are; each total is then
checked against the database's count of the same matches.

Migrates the database, tops the corpus up to --notices with generate_corpus, picks rare, medium
and common words by document frequency, and times 1-, 2- and 3-word queries:

- page: the list page ``/notices/?q=…`` through django.test.Client (filter form, ranking,
  count, pagination, snippets, template), each distinct query requested once, as a first
  request (nothing of it cached: neither the page nor its count); again with a category and
  with an issuing body chosen at random (``&category=…``, ``&issuer=…``);
- queryset: the list page's ranking (``NoticeFilter({"q": q}).qs``: the database's, or the
  search service's) sliced to its first 20 and evaluated, without the long columns no list
  page reads (``NoticeQuerySet.LIST_DEFERRED``: the stored search words);
- scan: what search would be without an index: every word ``icontains`` in the title, the
  preamble or a unit's text (AND), newest first, a page of 20 plus the count, as a page needs.

Relevance, printed with the times:

- top-20 agreement: the share of the page's first twenty that an exhaustive ranking by the
  same score (``rum_ts_distance`` computed on every match's vector, sorted) also puts in its
  first twenty (a notice that ties with the exhaustive twentieth counts as agreeing); with the
  service, its first twenty against the first twenty of its ranking of every match (the
  same by construction unless the engine skips matches: a check, not a measure);
- title phrases: for titles of the corpus (a regulation's own title, 开展考核评估条例) whose
  words also occur in the text of at least ten times as many other notices, the share of the
  first ten results whose title holds the phrase, out of min(10, notices so titled).

Prints the corpus size, the words with their document frequency, and the tables (median and
p95 in milliseconds, scan ÷ page on medians). --explain adds EXPLAIN ANALYZE of each statement
of the search, and the time of each statement the page runs, for one query of each class.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from common import p95, prewarm_os_cache, print_class_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F, FloatField, Func, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from documents import search, search_service  # noqa: E402
from documents.filters import NoticeFilter  # noqa: E402
from documents.models import (  # noqa: E402
    Category,
    IssuingBody,
    Notice,
    NoticeQuerySet,
    SearchEntry,
    Section,
)
from documents.ranking import PostgreSQLIndex  # noqa: E402

# Document frequency bands, as shares of the published notices.
CLASSES = {"rare": (0.0005, 0.005), "medium": (0.02, 0.10), "common": (0.40, 1.0)}
QUERIES_PER_CELL = 30  # distinct queries: a page is timed once per query, as a first request
TITLE_PHRASES = 30
# The hard cases, explained with --explain whatever their band.
FIXED_WORDS = ["发展", "国务院"]
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=20000, help="corpus size to reach")
    parser.add_argument("--repeat", type=int, default=30, help="timed queryset runs per class")
    parser.add_argument("--scan-repeat", type=int, default=3, help="scans per class, 0: none")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow parts")
    parser.add_argument("--explain-only", action="store_true", help="EXPLAIN, no timings")
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="first read the database into the OS file cache (common.prewarm_os_cache)",
    )
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


def page(client: Client, q: str, **filters) -> None:
    response = client.get("/notices/", {"q": q, **filters})
    assert response.status_code == 200, response.status_code


def first_requests(client: Client, queries: list[str], filters) -> list[float]:
    """Milliseconds of one page request per query (each distinct, so nothing of it is cached),
    ``filters(q)`` giving each request's other parameters."""
    times = []
    for q in queries:
        params = filters(q)
        start = time.perf_counter()
        page(client, q, **params)
        times.append((time.perf_counter() - start) * 1000)
    return times


def ranked(q: str, size: int = 20) -> list:
    """The first ``size`` notices as the list page ranks them (by the search service when
    SEARCH_URL is set, else in the database), with the columns a list page reads."""
    return list(service_ranking(q)[:size])


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
    """How many published notices match (the total a page reports), counted in the
    database; with the search service, its count too must be the same."""
    counted = Notice.objects.published().search(search.parse_query(q)).count()
    if settings.SEARCH_URL:
        served = service_ranking(q).count()
        assert served == counted, f"{q}: the service counts {served}, the database {counted}"
    return counted


def service_ranking(q: str):
    """The list page's ranking of q's matches (a queryset, or with SEARCH_URL the service's)."""
    queryset = Notice.objects.published().defer(*NoticeQuerySet.LIST_DEFERRED)
    return NoticeFilter({"q": q}, queryset=queryset).qs


def agreement(q: str, size: int = 20) -> float:
    """The share of the search's first ``size`` that an exhaustive ranking by the same score
    puts in its first ``size`` too (ties with its last one included). With the search service:
    its first ``size`` against the first ``size`` of its ranking of every match."""
    if settings.SEARCH_URL:
        query = search.parse_query(q)
        every = search_service.ask(
            [("word", w) for w in query.words] + [("limit", min(hits(q), 100_000) or 1)]
        )["ids"]
        first = [n.pk for n in ranked(q, size)]
        return sum(1 for pk in first if pk in every[:size]) / len(first) if first else float("nan")
    query = search.parse_query(q)
    found = list(Notice.objects.published().search(query).values_list("distance", flat=True)[:size])
    if not found:
        return float("nan")
    tsquery = PostgreSQLIndex.tsquery(query.words, query.excluded)
    every = (
        SearchEntry.objects.filter(is_published=True, vector=tsquery)
        .annotate(
            score=Func(F("vector"), tsquery, function="rum_ts_distance", output_field=FloatField())
        )
        .order_by("score")
        .values_list("score", flat=True)
    )
    last = list(every[:size])[-1]
    return sum(1 for distance in found if distance <= last * (1 + 1e-6)) / len(found)


def title_phrases(rng: random.Random) -> list[tuple[str, int, int]]:
    """(phrase, notices whose title holds it, notices that match it) for regulation titles of
    the corpus that match at least ten times as many notices as bear them."""
    titles = list(
        Notice.objects.published()
        .exclude(title__contains="关于")
        .order_by("id")
        .values_list("title", flat=True)
        .distinct()[:5000]
    )
    rng.shuffle(titles)
    picked = []
    for title in titles:
        titled = Notice.objects.published().filter(title__contains=title).count()
        matched = hits(title)
        if matched >= 10 * titled and matched > 20:
            picked.append((title, titled, matched))
        if len(picked) == TITLE_PHRASES:
            break
    return picked


def title_share(phrase: str, titled: int) -> float:
    """The share of the first ten results whose title holds the phrase, of min(10, titled)."""
    first = ranked(phrase, 10)
    holding = sum(1 for notice in first if phrase in notice.title)
    return holding / min(10, titled)


def explain(q: str, client: Client) -> None:
    """EXPLAIN ANALYZE of each statement the ranked queryset runs, then every statement of the
    list page with its time."""
    print(f"\n=== {q!r} ===")
    with CaptureQueriesContext(connection) as captured:
        ranked(q)
    for statement in captured.captured_queries:
        sql = statement["sql"]
        if not sql.upper().startswith(("SELECT", "WITH")):
            continue
        with connection.cursor() as cursor:
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

    if args.prewarm:
        print(f"\ndatabase read into the OS file cache in {prewarm_os_cache():.1f} s")
    engine = f"the search service at {settings.SEARCH_URL}" if settings.SEARCH_URL else "RUM"
    print(f"\nRanked by {engine}")
    client = Client()
    if not args.explain_only:
        print_table(measure(queries, client, args, rng), args)
        print_title_phrases(rng)
    if args.explain or args.explain_only:
        for name in CLASSES:
            for size in (1, 3):
                if queries[(name, size)]:
                    explain(" ".join(queries[(name, size)][0]), client)
        for word in FIXED_WORDS:
            explain(word, client)


def filter_choices(rng: random.Random):
    """Functions giving a page's other parameters: none, a category, an issuing body (one of
    the fifty busiest, as readers pick them from the form), chosen at random per query."""
    categories = list(Category.objects.values_list("slug", flat=True))
    counts = IssuingBody.objects.notice_counts()
    busiest = sorted(counts, key=counts.get, reverse=True)[:50]
    bodies = list(IssuingBody.objects.filter(pk__in=busiest).values_list("slug", flat=True))
    return {
        "page": lambda q: {},
        "+category": lambda q: {"category": rng.choice(categories)},
        "+issuer": lambda q: {"issuer": rng.choice(bodies)},
    }


def measure(queries: dict, client: Client, args, rng: random.Random) -> list:
    choices = filter_choices(rng)
    page(client, "warm-up")  # the menu, the form's options: cached for every later page
    rows = []
    for (name, size), picked in queries.items():
        texts = [" ".join(words) for words in picked]
        if not texts:
            rows.append((name, size, None))
            continue
        matched = statistics.median(hits(q) for q in texts)
        pages = {label: first_requests(client, texts, f) for label, f in choices.items()}
        ranked_ms = timed(ranked, texts, args.repeat)
        scan_ms = (
            timed(scan, texts[: args.scan_repeat], args.scan_repeat, warm_up=1)
            if args.scan_repeat
            else []
        )
        agreed = statistics.median(agreement(q) for q in texts)
        rows.append((name, size, (matched, pages, ranked_ms, scan_ms, agreed)))
        print(f"  measured {name} {size}-word ({len(texts)} queries)", file=sys.stderr)
    return rows


def print_table(rows: list, args) -> None:
    print(
        f"\nTimes in ms. page: one first request per query, {QUERIES_PER_CELL} distinct queries "
        f"per row, alone, with a category, with an issuing body; queryset: {args.repeat} runs "
        f"per row; scan: {args.scan_repeat} runs. top20: median agreement with an exhaustive "
        "ranking by the same score."
    )
    header = (
        f"{'hits':>7} │ {'page p50':>8} {'p95':>6} │ {'+cat p50':>8} {'p95':>6} │ "
        f"{'+iss p50':>8} {'p95':>6} │ {'qs p50':>6} {'p95':>6} │ {'scan p50':>8} "
        f"{'scan÷page':>9} │ {'top20':>5}"
    )

    def cells(result) -> str:
        matched, pages, ranked_ms, scan_ms, agreed = result
        plain, category, issuer = (pages[k] for k in ("page", "+category", "+issuer"))
        page50 = statistics.median(plain)
        scan50 = statistics.median(scan_ms) if scan_ms else float("nan")
        return (
            f"{matched:>7.0f} │ {page50:8.1f} {p95(plain):6.1f} │ "
            f"{statistics.median(category):8.1f} {p95(category):6.1f} │ "
            f"{statistics.median(issuer):8.1f} {p95(issuer):6.1f} │ "
            f"{statistics.median(ranked_ms):6.1f} {p95(ranked_ms):6.1f} │ "
            f"{scan50:8.0f} {scan50 / page50:8.1f}× │ {agreed:5.2f}"
        )

    print_class_table(header, rows, cells)


def print_title_phrases(rng: random.Random) -> None:
    phrases = title_phrases(rng)
    if not phrases:
        print("\nTitle phrases: none found")
        return
    shares = [title_share(phrase, titled) for phrase, titled, _ in phrases]
    print(
        f"\nTitle phrases ({len(phrases)}; notices so titled: median "
        f"{statistics.median(t for _, t, _ in phrases):.0f}, matching: median "
        f"{statistics.median(m for _, _, m in phrases):.0f}): share of the first ten whose "
        f"title holds the phrase, mean {statistics.mean(shares):.2f}, "
        f"lowest {min(shares):.2f}"
    )
    lowest = sorted(zip(phrases, shares, strict=True), key=lambda pair: pair[1])[:5]
    for (phrase, titled, matched), share in lowest:
        print(f"  {share:.2f}  {phrase} (titled {titled}, matching {matched})")


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
