"""PolicyHub's PostgreSQL search against Whoosh + jieba, on the same notices and queries.

    .venv/bin/pip install -r bench/requirements.txt
    createdb -h 127.0.0.1 -U postgres policyhub_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_bench \\
        .venv/bin/python bench/whoosh_compare.py --notices 20000 [--index-dir DIR] [--repeat 30]

Whoosh with jieba's analyzer (``jieba.analyse.ChineseAnalyzer``) is the classic Chinese Django
search recipe. The script tops the corpus up to --notices as search_bench.py does, builds a
Whoosh index of the published notices (in a temporary directory, or in --index-dir, where an
index holding as many notices is reused) and prints how long that took and its size on disk.

Each notice is one Whoosh document with PolicyHub's three indexed fields and their text:
title (title, doc number, issuing bodies), headings (units' headings), body (addressees,
preamble, units' text), folded to simplified script by ``documents.search.fold`` first, as
PolicyHub folds before jieba. Queries are folded and cut by the same analyzer; every word must
match in some field (AND), and the fields weigh 5 : 2 : 1 as ts_rank's default weights of
PolicyHub's A : B : C (1.0, 0.4, 0.2).

The queries are search_bench.py's: rare, medium and common words by document frequency, 1, 2
and 3 words from one notice. For each class, after one untimed run of each query per engine,
--repeat timed runs cycle through its queries; each run times both engines back to back,
their order alternating, so that load from other work falls on both alike:

- whoosh: ``searcher.search(query, limit=20)`` (BM25F), the 20 stored ids and ``len(results)``,
  the exact hit count (when Whoosh skipped blocks by score to find the top 20, it matches the
  query again, unscored, to count);
- policyhub: the count of ``Notice.objects.published().search(parse_query(q))`` and its first
  20 evaluated (search_bench's "qs": the rows without the columns no list page reads), the two
  statements a search page makes for them.

Prints one table: both engines' hit counts (median over a class's queries, and on how many
queries they agree), how many of the two top-20 lists' notices are shared, median and p95 in
milliseconds, and Whoosh ÷ PolicyHub on medians and on p95s.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

# search_bench sets up Django; isort keeps it (third party to ruff) before the project's modules.
import search_bench
from common import p95, print_class_table
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import override_settings
from jieba.analyse import ChineseAnalyzer
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import And, Or, Term

from documents.models import Notice, Section
from documents.search import fold

# PolicyHub weighs title A, headings B, body C; ts_rank's default weights are 1.0, 0.4, 0.2.
FIELD_BOOSTS = {"title": 5.0, "headings": 2.0, "body": 1.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=20000, help="corpus size to reach")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query class")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--index-dir", type=Path, help="keep (and reuse) the Whoosh index here")
    return parser.parse_args()


def notice_documents():
    """One Whoosh document per published notice: PolicyHub's indexed text, folded."""
    units = Prefetch("sections", queryset=Section.objects.only("notice_id", "heading", "text"))
    notices = (
        Notice.objects.published()
        .defer("search_title", "search_headings", "search_body", "search_text")
        .select_related("lead_issuer")
        .prefetch_related(units, "co_issuer_links__body")
        .order_by("id")
    )
    for notice in notices.iterator(chunk_size=500):
        sections = list(notice.sections.all())
        names = [body.name for body in notice.issuing_bodies()]
        title = [notice.title, notice.body_title, notice.doc_number, notice.doc_number_normalized]
        body = [notice.addressees, notice.preamble, notice.body_intro]
        yield {
            "id": str(notice.pk),
            "title": fold("\n".join([*title, *names])),
            "headings": fold("\n".join(unit.heading for unit in sections)),
            "body": fold("\n".join([*body, *(unit.text for unit in sections)])),
        }


def open_index(directory: Path, published: int):
    """The Whoosh index in directory, built now unless it already holds the published notices;
    and the seconds the build took (None when reused)."""
    if index.exists_in(directory):
        existing = index.open_dir(directory)
        if existing.doc_count() == published:
            return existing, None
        existing.close()
    analyzer = ChineseAnalyzer()
    schema = Schema(id=ID(stored=True, unique=True), **{f: TEXT(analyzer) for f in FIELD_BOOSTS})
    started = time.perf_counter()
    built = index.create_in(directory, schema)
    writer = built.writer(limitmb=256)
    for count, document in enumerate(notice_documents(), 1):
        writer.add_document(**document)
        if count % 500 == 0 or count == published:
            rate = count / (time.perf_counter() - started)
            print(f"\r  indexed {count}/{published}, {rate:.0f}/s", end="", file=sys.stderr)
    print(file=sys.stderr)
    writer.commit()
    return built, time.perf_counter() - started


def disk_size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def whoosh_search(searcher, analyzer, q: str) -> tuple[int, list[int]]:
    """(exact hit count, ids of the top 20 by BM25F) for every word of q in any field."""
    words = list(dict.fromkeys(token.text for token in analyzer(fold(q))))
    query = And([Or([Term(f, w, boost=b) for f, b in FIELD_BOOSTS.items()]) for w in words])
    results = searcher.search(query, limit=20)
    return len(results), [int(hit["id"]) for hit in results]


def policyhub_search(q: str) -> tuple[int, list[int]]:
    """(exact hit count, ids of the top 20): the count a page makes and search_bench's "qs",
    the top 20 by PolicyHub's ranked SQL, as Whoosh counts and ranks. With SEARCH_URL, the
    search service's count and top 20 (one request) and the 20 rows."""
    if settings.SEARCH_URL:
        ranking = search_bench.service_ranking(q)
        return ranking.count(), [notice.pk for notice in ranking[0:20]]
    return search_bench.hits(q), [notice.pk for notice in search_bench.ranked(q)]


def interleaved(functions: dict, queries: list[str], runs: int) -> dict[str, list[float]]:
    """Milliseconds of ``runs`` calls of each function, cycling through the queries, the
    functions timed back to back in alternating order (one untimed call of each first)."""
    for q in queries:
        for function in functions.values():
            function(q)
    times = {name: [] for name in functions}
    for i in range(runs):
        q = queries[i % len(queries)]
        order = list(functions.items())
        for name, function in order[::-1] if i % 2 else order:
            start = time.perf_counter()
            function(q)
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def measure(queries: dict, searcher, analyzer, runs: int) -> list:
    rows = []
    functions = {
        "whoosh": lambda q: whoosh_search(searcher, analyzer, q),
        "policyhub": policyhub_search,
    }
    for (name, size), picked in queries.items():
        texts = [" ".join(words) for words in picked]
        if not texts:
            rows.append((name, size, None))
            continue
        agreement = []
        for q in texts:
            whoosh_hits, whoosh_top = whoosh_search(searcher, analyzer, q)
            shared = len(set(whoosh_top) & set(policyhub_search(q)[1]))
            agreement.append((q, search_bench.hits(q), whoosh_hits, shared))
        times = interleaved(functions, texts, runs)
        rows.append((name, size, (agreement, times)))
        print(f"  measured {name} {size}-word ({len(texts)} queries)", file=sys.stderr)
    return rows


def print_table(rows: list, runs: int) -> None:
    print(
        f"\nTimes in ms, {runs} runs per row over up to {search_bench.QUERIES_PER_CELL} queries,"
        " the engines alternating; hits and shared top 20: medians over the row's queries"
    )
    header = (
        f"│ {'hits PH':>7} {'Whoosh':>7} {'equal':>5} {'top20∩':>6} │ "
        f"{'Whoosh p50':>10} {'p95':>7} │ {'PH p50':>7} {'p95':>7} │ {'W÷PH p50':>8} {'p95':>6}"
    )

    def cells(result) -> str:
        agreement, times = result
        ours, theirs, shared = (statistics.median(row[i] for row in agreement) for i in (1, 2, 3))
        equal = f"{sum(row[1] == row[2] for row in agreement)}/{len(agreement)}"
        w50, ph50 = statistics.median(times["whoosh"]), statistics.median(times["policyhub"])
        w95, ph95 = p95(times["whoosh"]), p95(times["policyhub"])
        return (
            f"│ {ours:>7.0f} {theirs:>7.0f} {equal:>5} {shared:>6.0f} │ "
            f"{w50:>10.1f} {w95:7.1f} │ {ph50:7.1f} {ph95:7.1f} │ "
            f"{w50 / ph50:7.1f}× {w95 / ph95:5.1f}×"
        )

    print_class_table(header, rows, cells)
    print("\nOne query per row: hits PolicyHub / Whoosh, notices shared by the two top 20s")
    for name, _, result in rows:
        if result is not None:
            q, ours, theirs, shared = result[0][0]
            print(f"  {name:7} {padded(q, 24)} {ours:>6} / {theirs:<6} {shared:>2} of 20")


def padded(text: str, width: int) -> str:
    """text padded to width terminal columns, a Han character taking two."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return text + " " * max(0, width - len(text) - wide)


def main():
    args = parse_args()
    search_bench.prepare(args.notices, args.seed)
    with connection.cursor() as cursor:
        # prepare() analyzes the notice and unit tables only, and PostgreSQL on the development
        # machine runs without autovacuum: with stale statistics for the search entries, the planner
        # answered a 1-word query from the date index, reading every vector (250 ms, not 1).
        cursor.execute("VACUUM ANALYZE documents_searchentry")
    sizes = search_bench.corpus_size()
    print(
        f"Corpus: {sizes['notices']} notices, {sizes['published']} published,"
        f" {sizes['units']} units; database {sizes['database']}"
    )

    with tempfile.TemporaryDirectory(prefix="whoosh-") as scratch:
        directory = args.index_dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        built, seconds = open_index(directory, sizes["published"])
        took = "reused, built earlier" if seconds is None else f"built in {seconds:.0f} s"
        size = disk_size(directory) / 2**20
        print(f"Whoosh index: {built.doc_count()} documents, {took}, {size:.0f} MB on disk")

        df = search_bench.document_frequencies()
        queries = search_bench.pick_queries(df, sizes["published"], random.Random(args.seed))
        print("\nWords by class (document frequency among published notices)")
        for name in search_bench.CLASSES:
            words = sorted({w for size in (1, 2, 3) for q in queries[(name, size)] for w in q})
            shown = ", ".join(f"{w} {df[w]}" for w in sorted(words, key=df.get)[:16])
            print(f"  {name:7} {shown}")

        analyzer = built.schema["title"].analyzer
        with built.searcher() as searcher:
            print_table(measure(queries, searcher, analyzer, args.repeat), args.repeat)
        built.close()


if __name__ == "__main__":
    # DEBUG would keep every SQL statement in memory, a cost Whoosh does not pay.
    with override_settings(DEBUG=False):
        main()
