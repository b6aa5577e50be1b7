"""The search service's index: the published notices' search words in Tantivy, kept in step
with PostgreSQL.

Why an engine beside the database: PostgreSQL's RUM index ranks and counts every match, so a
word in 40 % of 100,000 notices took 125-460 ms at p95 (``bench/README.md``). Tantivy scores
(BM25) and counts every match from compressed posting lists, 5-7 ms for the same words with
the exact count. It is one writer's files, so it lives in one process that every app server asks
(``manage.py serve_search``, ``documents.search_service``), never in an app server's files.

What is indexed, per published notice: the words already stored for search (``search_title``,
``search_headings``, ``search_body``: jieba's words, folded, space-separated; the same words as
the RUM index), and what a list page filters by (categories, issuing bodies led or joined, the
day of issue, the validity). Kept in step by ``sync()``: a fingerprint per notice (PostgreSQL's
row version of the notice, ``xmin``, its categories and joint issuers) tells which notices
changed since the last sync; only those are read and indexed again.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import tantivy
from django.db import connections, router

from .models import ArchiveGeneration, Notice

# BM25 boosts of the title (with doc number and issuers), the units' headings and the text,
# in the proportions of ranking.BM25_WEIGHTS.
FIELDS = {"title": 5.0, "headings": 2.0, "body": 1.0}
# A notice whose title holds every word comes before any that does not: no BM25 sum of a
# query's words reaches this boost. Among those, titles with the words as typed, then close.
TITLE_FIRST = 1000.0
READ_CHUNK = 500

# Every write that changes what is indexed (the search words, the status, the date, the
# validity, the lead issuer) rewrites the notice's row, and so its row version (xmin).
_STAMPS_SQL = """
    SELECT n.id, n.xmin::text
    FROM documents_notice n JOIN documents_searchentry e ON e.notice_id = n.id
    WHERE n.status = 'published' AND e.is_published
"""
_CATEGORIES_SQL = "SELECT notice_id, category_id FROM documents_notice_categories"
_JOINT_SQL = "SELECT notice_id, body_id FROM documents_coissuer"
_ROWS_SQL = """
    SELECT id, lead_issuer_id, issued_date, validity, search_title, search_headings, search_body
    FROM documents_notice WHERE id = ANY(%s)
"""


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="words", index_option="position")
    builder.add_unsigned_field("category", indexed=True)
    builder.add_unsigned_field("issuer", indexed=True)
    builder.add_unsigned_field("issued", indexed=True, fast=True)  # the day, date.toordinal()
    builder.add_text_field("validity", tokenizer_name="raw")
    return builder.build()


class SearchIndex:
    """Tantivy's index of the published notices, in ``path`` (a folder of its own: its files
    are written by this object alone), read from database ``using`` (by default where the app
    reads notices: the replica, with DATABASE_REPLICA_URL; the archive generation that tells
    the service to sync is read there too)."""

    def __init__(self, path: Path, using: str | None = None):
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(_schema(), path=str(path), reuse=False)
        # The stored words are cut and folded already: split on spaces, nothing else.
        self.index.register_tokenizer(
            "words", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        self.schema = self.index.schema
        self.writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        self.using = using or router.db_for_read(Notice)
        self.stamps: dict[int, tuple] = {}  # notice id → fingerprint when indexed
        # The archive generation the index is in step with (None before the first sync):
        # the app ranks in the database a search of a newer generation than this.
        self.generation: int | None = None
        self.error: str | None = None  # the last sync's failure, for /healthz (its keeper's)
        self.searcher = self.index.searcher()

    def sync(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index the notices published, changed or unpublished since the last sync; return
        how many. ``progress(done, total)`` is called as they are indexed. On an error nothing
        of it is kept (the next sync does it all again)."""
        generation = ArchiveGeneration.current(fresh=True)  # first: a later write moves it
        categories, joint = self._read_links()
        stamps = self._read_stamps(categories, joint)
        changed = [pk for pk, stamp in stamps.items() if self.stamps.get(pk) != stamp]
        gone = [pk for pk in self.stamps if pk not in stamps]
        try:
            for pk in gone:
                self._delete(pk)
            for start in range(0, len(changed), READ_CHUNK):
                chunk = changed[start : start + READ_CHUNK]
                for row in self._read_rows(chunk):
                    if row[0] in self.stamps:
                        self._delete(row[0])
                    self.writer.add_document(_document(row, categories, joint))
                if progress:
                    progress(min(start + READ_CHUNK, len(changed)), len(changed))
            if changed or gone:
                self.writer.commit()
        except BaseException:
            self.writer.rollback()  # (else the next commit would hold these twice)
            raise
        if changed or gone:
            self.index.reload()
            self.searcher = self.index.searcher()
        for pk in gone:
            del self.stamps[pk]
        self.stamps.update((pk, stamps[pk]) for pk in changed)
        self.generation = generation
        return len(changed) + len(gone)

    def _delete(self, pk: int) -> None:
        # By a query: delete_documents_by_term() takes a Python int for a signed term and
        # deletes no unsigned id (tantivy 0.27).
        self.writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", pk))

    def search(
        self,
        words: list[str],
        excluded: list[str] = (),
        *,
        typed: list[str] = (),
        offset: int = 0,
        limit: int = 20,
        category: int | None = None,
        issuer: int | None = None,
        issued: list[tuple[int | None, int | None]] = (),
        validity: str | None = None,
    ) -> tuple[list[int], int]:
        """The ids of the matches ``offset`` to ``offset + limit``, best first, and how many
        match in all: every word (in any field), none of the excluded, within the filters;
        ``typed``: the words as typed, every shorter word included (``SearchQuery.typed``)
        (``issued``: days of issue, each a first and last day as ordinals, either None for
        open)."""
        must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
        clauses = [(must, self._in_any_field(word)) for word in words]
        clauses += [(must_not, self._in_any_field(word)) for word in excluded]
        clauses += self._title_boosts(words, typed)
        for name, value in (("category", category), ("issuer", issuer), ("validity", validity)):
            if value is not None:
                clauses.append((must, tantivy.Query.term_query(self.schema, name, value)))
        for first, last in issued:
            if first is None and last is None:
                continue
            days = tantivy.Query.range_query(
                self.schema, "issued", tantivy.FieldType.Unsigned, first, last
            )
            clauses.append((must, days))
        searcher = self.searcher  # (sync() may swap it meanwhile)
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=max(limit, 1), offset=offset, count=True
        )
        addresses = [address for _score, address in result.hits][:limit]
        return searcher.fast_field_values("id", addresses), result.count

    def _in_any_field(self, word: str) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, name, word), boost
                    ),
                )
                for name, boost in FIELDS.items()
            ]
        )

    def _title_boosts(self, words: list[str], typed: list[str]) -> list:
        """Optional clauses that put a title holding every word first (as ranking._Bm25 does
        on SQLite) and, among those, one holding them as typed, then close together."""
        if not words:
            return []
        should = tantivy.Occur.Should
        every = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "title", w)) for w in words]
        )
        boosts = [(should, tantivy.Query.boost_query(every, TITLE_FIRST))]
        # As typed: the typed words' every cut at consecutive positions, as the title's words
        # were stored (决策程序 is stored 决策, 程序, 决策程序: the query's longest words alone
        # are never consecutive there). Close: the longest words within a few positions.
        phrases = [(typed, 0), (words, 2 * len(words))]
        for sequence, slop in phrases:
            if len(sequence) > 1:
                close = tantivy.Query.phrase_query(self.schema, "title", sequence, slop=slop)
                boosts.append((should, tantivy.Query.boost_query(close, TITLE_FIRST)))
        return boosts

    def _read_stamps(self, categories: dict, joint: dict) -> dict[int, tuple]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(_STAMPS_SQL)
            return {
                pk: (version, tuple(categories[pk]), tuple(joint[pk]))
                for pk, version in cursor.fetchall()
            }

    def _read_links(self) -> tuple[dict, dict]:
        """Each notice's categories and joint issuers (sorted lists, by notice id)."""
        links = []
        with connections[self.using].cursor() as cursor:
            for sql in (_CATEGORIES_SQL, _JOINT_SQL):
                cursor.execute(sql)
                by_notice = defaultdict(list)
                for notice_id, other_id in cursor.fetchall():
                    by_notice[notice_id].append(other_id)
                links.append(defaultdict(list, {k: sorted(v) for k, v in by_notice.items()}))
        return links[0], links[1]

    def _read_rows(self, ids: list[int]) -> list[tuple]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(_ROWS_SQL, [ids])
            return cursor.fetchall()


def _document(row: tuple, categories: dict, joint: dict) -> tantivy.Document:
    pk, lead, issued, validity, title, headings, body = row
    document = tantivy.Document(title=title, headings=headings, body=body, validity=validity)
    document.add_unsigned("id", pk)
    for category_id in categories[pk]:
        document.add_unsigned("category", category_id)
    for body_id in sorted({lead, *joint[pk]} - {None}):
        document.add_unsigned("issuer", body_id)
    if issued is not None:
        document.add_unsigned("issued", issued.toordinal())
    return document


def day_range(start: datetime.date | None, stop: datetime.date | None) -> tuple:
    """A filter's first and last day as the index stores days (either None for open)."""
    return (start.toordinal() if start else None, stop.toordinal() if stop else None)
