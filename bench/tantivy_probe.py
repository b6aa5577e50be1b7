"""What an engine that stops early would give: Tantivy (BM25, block-max WAND) on the same corpus.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_100k \\
        .venv/bin/python bench/tantivy_probe.py --index /tmp/tantivy-100k

A measurement for issue 13's choice of engine, not a part of the app: search in PostgreSQL
(the RUM index) ranks and counts every match of a common word, linearly in their number; an
engine with block-max WAND skips the matches that cannot reach the first page, and counts
from compressed posting lists. This script indexes the archive's stored search words (the same
jieba words the RUM index holds: title with doc number and issuers, headings, text) in a
Tantivy index on local disk, with the filters a list page combines (published, category,
issuing body, lead or joint), then asks the same queries as ``search_bench.py`` (same seed: the
same words), each once, in-process:

- the first twenty by BM25 over the three fields (title ×5, headings ×2, text ×1, the
  proportions of ``ranking.BM25_WEIGHTS``), every word required, a notice whose title holds
  every word first (as ``ranking._Bm25`` on SQLite), and the exact count;
- alone, with a category, with one of the fifty busiest issuing bodies;
- the title-phrase share (``search_bench.title_share``'s measure) on the same phrases.

The times are the engine's alone (no HTTP, no page): a service in front of it adds a loopback
round trip (about 0.2 ms here), and the page the rows, the snippets and the template.
``requirements.txt`` pins tantivy (the app's engine since: ``documents/search_index.py``).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import tantivy
from common import p95, print_class_table
from search_bench import (
    CLASSES,
    document_frequencies,
    pick_queries,
    title_phrases,
)

from documents import search
from documents.models import Category, CoIssuer, IssuingBody, Notice

FIELDS = {"title": 5.0, "headings": 2.0, "body": 1.0}
TITLE_FIRST = 1000.0  # a boost no BM25 sum of a query's words reaches


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, fast=True, indexed=True)
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="words", index_option="position")
    builder.add_boolean_field("published", indexed=True)
    builder.add_unsigned_field("category", indexed=True)
    builder.add_unsigned_field("issuer", indexed=True)
    return builder.build()


def open_index(path: Path) -> tuple[tantivy.Index, bool]:
    made = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(path), reuse=not made)
    index.register_tokenizer(
        "words", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )
    return index, made


def build(index: tantivy.Index) -> None:
    started = time.perf_counter()
    categories: dict[int, list[int]] = {}
    for notice_id, category_id in Notice.categories.through.objects.values_list(
        "notice_id", "category_id"
    ).iterator(chunk_size=20000):
        categories.setdefault(notice_id, []).append(category_id)
    joint: dict[int, list[int]] = {}
    for notice_id, body_id in CoIssuer.objects.values_list("notice_id", "body_id").iterator(
        chunk_size=20000
    ):
        joint.setdefault(notice_id, []).append(body_id)
    writer = index.writer(heap_size=400_000_000, num_threads=2)
    rows = Notice.objects.order_by("id").values_list(
        "id", "status", "lead_issuer_id", "search_title", "search_headings", "search_body"
    )
    done = 0
    for pk, status, lead, title, headings, body in rows.iterator(chunk_size=2000):
        document = tantivy.Document(
            title=title,
            headings=headings,
            body=body,
            published=status == Notice.Status.PUBLISHED,
        )
        document.add_unsigned("id", pk)
        for category_id in categories.get(pk, ()):
            document.add_unsigned("category", category_id)
        for body_id in {lead, *joint.get(pk, ())} - {None}:
            document.add_unsigned("issuer", body_id)
        writer.add_document(document)
        done += 1
        if done % 5000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"\r  indexed {done} ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)
    writer.commit()
    writer.wait_merging_threads()
    print(f"\n  indexed {done} notices in {time.perf_counter() - started:.0f} s", file=sys.stderr)


class Engine:
    def __init__(self, index: tantivy.Index):
        index.reload()
        self.schema = index.schema
        self.searcher = index.searcher()

    def query(self, text: str, category: int | None = None, issuer: int | None = None):
        parsed = search.parse_query(text)
        must = tantivy.Occur.Must
        clauses = [(must, tantivy.Query.term_query(self.schema, "published", True))]
        for word in parsed.words:
            per_field = [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, name, word), boost
                    ),
                )
                for name, boost in FIELDS.items()
            ]
            clauses.append((must, tantivy.Query.boolean_query(per_field)))
        if parsed.words:  # a title that holds every word first, as ranking._Bm25 on SQLite
            in_title = [
                (must, tantivy.Query.term_query(self.schema, "title", word))
                for word in parsed.words
            ]
            title_first = tantivy.Query.boost_query(
                tantivy.Query.boolean_query(in_title), TITLE_FIRST
            )
            clauses.append((tantivy.Occur.Should, title_first))
        if len(parsed.words) > 1:  # and among those, the words close together (RUM's cover)
            for slop in (0, 2 * len(parsed.words)):  # as typed, then near each other
                close = tantivy.Query.phrase_query(self.schema, "title", parsed.words, slop=slop)
                boosted = tantivy.Query.boost_query(close, TITLE_FIRST)
                clauses.append((tantivy.Occur.Should, boosted))
        if category is not None:
            clauses.append((must, tantivy.Query.term_query(self.schema, "category", category)))
        if issuer is not None:
            clauses.append((must, tantivy.Query.term_query(self.schema, "issuer", issuer)))
        return tantivy.Query.boolean_query(clauses)

    def first(self, text: str, limit: int = 20, **filters) -> tuple[list[int], int]:
        """The ids of the first ``limit`` and the exact count."""
        result = self.searcher.search(self.query(text, **filters), limit=limit, count=True)
        ids = [self.searcher.doc(address)["id"][0] for _score, address in result.hits]
        return ids, result.count


def timed(engine: Engine, texts: list[str], filters) -> tuple[list[float], list[int]]:
    times, counts = [], []
    for text in texts:
        started = time.perf_counter()
        _ids, count = engine.first(text, **filters(text))
        times.append((time.perf_counter() - started) * 1000)
        counts.append(count)
    return times, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="the index folder")
    parser.add_argument("--seed", type=int, default=1, help="as search_bench.py's")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    index, made = open_index(args.index)
    if made:
        build(index)
    size = sum(f.stat().st_size for f in args.index.rglob("*") if f.is_file())
    print(f"index {args.index}: {size / 2**20:.0f} MB")
    engine = Engine(index)

    published = Notice.objects.published().count()
    queries = pick_queries(document_frequencies(), published, rng)
    categories = list(Category.objects.values_list("pk", flat=True))
    counts = IssuingBody.objects.notice_counts()
    busiest = sorted(counts, key=counts.get, reverse=True)[:50]
    choices = {
        "alone": lambda text: {},
        "+category": lambda text: {"category": rng.choice(categories)},
        "+issuer": lambda text: {"issuer": rng.choice(busiest)},
    }
    engine.first("发展")  # the first search opens the index's files
    rows = []
    for (name, size), picked in queries.items():
        texts = [" ".join(words) for words in picked]
        measured = {label: timed(engine, texts, f) for label, f in choices.items()}
        rows.append((name, size, measured))

    print(
        "\nTantivy, in-process, ms: the first twenty by BM25 and the exact count, each distinct "
        "query once (search_bench.py's queries), alone, with a category, with an issuing body"
    )
    header = (
        f"{'hits':>7} │ {'p50':>6} {'p95':>6} │ {'+cat p50':>8} {'p95':>6} │ "
        f"{'+iss p50':>8} {'p95':>6}"
    )

    def cells(measured) -> str:
        (alone, hits), (category, _), (issuer, _) = (measured[k] for k in choices)
        return (
            f"{statistics.median(hits):>7.0f} │ "
            f"{statistics.median(alone):6.2f} {p95(alone):6.2f} │ "
            f"{statistics.median(category):8.2f} {p95(category):6.2f} │ "
            f"{statistics.median(issuer):8.2f} {p95(issuer):6.2f}"
        )

    print_class_table(header, rows, cells)

    shares = []
    titles = dict(Notice.objects.values_list("pk", "title"))
    for phrase, titled, _matched in title_phrases(rng):
        ids, _count = engine.first(phrase, limit=10)
        holding = sum(1 for pk in ids if phrase in titles[pk])
        shares.append(holding / min(10, titled))
    if shares:
        print(
            f"title phrases ({len(shares)}): share of the first ten whose title holds the "
            f"phrase, mean {statistics.mean(shares):.2f} (lowest {min(shares):.2f})"
        )
    bands = (f"{name} {low:.2%}–{high:.0%}" for name, (low, high) in CLASSES.items())
    print("document frequency of the words, of the published notices:", ", ".join(bands))


if __name__ == "__main__":
    main()
