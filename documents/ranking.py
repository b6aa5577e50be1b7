"""Ranked search over the notices: which match a parsed query, in what order, how many.

PostgreSQL ranks by the weighted tsvector of SearchEntry (A title, doc number and issuers; B
headings; C text), found through its GIN index; SQLite matches the stored words and scores
title, heading and body hits. ``NoticeQuerySet.search`` and ``search_with_total`` call this
module, which builds on the models (the words themselves come from ``documents.search``).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import BooleanField, Case, Expression, F, FloatField, Func, Q, Value, When

from .models import Notice, Section
from .search import SearchQuery


class ApproximateCount(int):
    """A number of matches read from the planner's statistics rather than counted: 约 N."""

    is_approximate = True


# On PostgreSQL a query that matches more notices than this is ranked among its most
# recent matches only. Ranking reads each match's whole tsvector, and a common word (发展,
# 国务院) matches nearly every notice: ranking them all took ~1 s at 20,000 notices.
RANKED_CANDIDATES = 200


def search_with_total(queryset, query: SearchQuery):
    """(notices matching the query, best first with ``rank``; how many match in all).

    Every word must match (AND), quoted phrases must appear as written, excluded words must
    not appear; a document number typed as the query puts its notice first. PostgreSQL
    ranks by the weighted tsvector of SearchEntry; SQLite counts stored-word matches. The
    total is None when the returned queryset holds every match (count it if needed).
    """
    if not (query or query.excluded):
        return queryset, None
    if connections[queryset.db].vendor == "postgresql" and (query.words or query.excluded):
        ranks, total = _ranked_on_postgresql(queryset, query)  # excluded words included
        matches = queryset.filter(_IdIn(tuple(ranks)))
    else:
        ranks, total = None, None
        matches = _match_words(queryset, query.words)
        for word in query.excluded:
            matches = matches.exclude(_word_condition(word))
    for phrase in query.phrases:
        in_units = Section.objects.filter(search_text__contains=phrase).values("notice_id")
        matches = matches.filter(Q(search_text__contains=phrase) | Q(id__in=in_units))
    numbered = []
    if query.doc_number:
        by_number = Q(doc_number_normalized=query.doc_number)
        if query.doc_serial is not None:
            by_number |= Q(doc_serial=query.doc_serial)
        numbered = list(queryset.filter(by_number).values_list("id", flat=True)[:100])
        matches = queryset.filter(Q(id__in=numbered) | Q(id__in=matches.values("id")))
    if ranks is not None:
        rank = _rank_from(ranks, numbered)
    else:
        rank = _rank_expression(query.words)
        if numbered:
            rank = Case(When(id__in=numbered, then=Value(1000.0)), default=Value(0.0)) + rank
    ordered = matches.annotate(rank=rank).order_by(
        "-rank", F("issued_date").desc(nulls_last=True), "-id"
    )
    if total is not None and (query.phrases or numbered):
        total = None  # phrases narrow, numbers add: the ranked list is the whole answer
    return ordered, total


def _ranked_on_postgresql(queryset, query):
    """{notice id: ts_rank} of the best candidates, and the number of all matches."""
    parts, params = [], []
    for word in query.words:
        parts.append("plainto_tsquery('simple', %s)")
        params.append(word)
    for word in query.excluded:
        parts.append("!! plainto_tsquery('simple', %s)")
        params.append(word)
    tsquery = " && ".join(parts)
    where = f"e.is_published AND e.vector @@ ({tsquery})"
    where_params = list(params)
    filtered = queryset.query.where != Notice.objects.published().query.where
    if filtered:
        # Other filters (category, issuer, year …) narrow the candidates first.
        inner, inner_params = (
            queryset.order_by().values("pk").query.get_compiler(using=queryset.db).as_sql()
        )
        where += f" AND e.notice_id IN ({inner})"
        where_params += list(inner_params)
    with connections[queryset.db].cursor() as cursor:
        if not filtered:
            # Only the words themselves: the planner's estimate of a filter's share (an
            # issuer's "led OR joined") can be off a hundredfold, and a walk misled by it
            # would read the whole index. A filtered search takes the exact bitmap.
            published, matches = _estimate_matches(cursor, where, where_params)
            if matches * matches > WALK_BREAK_EVEN * published:
                return _newest_matches_by_date(
                    cursor, tsquery, params, where, where_params, matches
                )
        return _newest_matches_by_bitmap(cursor, tsquery, params, where, where_params)


# Two ways to find the newest candidates. The GIN bitmap reads every match (about 0.3 µs
# each: 30 ms for 97,000 matches); walking the date index tests each notice's tsvector in
# turn (about 25 µs each) and stops at the 200th match, so it reads 200 ÷ s notices for a
# word in a share s of them. Walking wins when s² × N > 16,000: at 100,000 notices for a
# word in 40 % of them (发展, 国务院); at 10,000 never.
WALK_BREAK_EVEN = 16_000


def _estimate_matches(cursor, where, where_params) -> tuple[float, float]:
    """The planner's estimates of published entries and of matches (from ANALYZE's
    most-common-word statistics: close for common words, low for the rest)."""
    cursor.execute(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM documents_searchentry e WHERE e.is_published"
        f" UNION ALL SELECT 1 FROM documents_searchentry e WHERE {where}",
        where_params,
    )
    plan = cursor.fetchone()[0][0]["Plan"]
    try:
        published, matches = (child["Plan Rows"] for child in plan["Plans"])
    except (KeyError, ValueError):
        return 0.0, 0.0  # an unexpected plan shape: take the bitmap, always correct
    return float(published), float(matches)


def _newest_matches_by_bitmap(cursor, tsquery, params, where, where_params):
    """The exact count and the newest candidates from the GIN bitmap, in one statement.
    The candidates carry their tsvector out of the sort as a TOAST pointer, read (17 KB a
    notice) only for the 200 ranked; looking each up again by key cost 200 bitmap scans.

    Plain index scans and sequential scans are off for this statement only: the planner
    would otherwise walk an index and unpack every tsvector. SET LOCAL in the same query
    string lasts until its implicit transaction ends (inside an atomic block, until that
    block ends)."""
    cursor.execute(
        f"""
        SET LOCAL enable_seqscan = off;
        SET LOCAL enable_indexscan = off;
        SELECT t.total, c.notice_id, ts_rank(c.vector, {tsquery})
        FROM (SELECT count(*) AS total FROM documents_searchentry e WHERE {where}) t
        LEFT JOIN (
            SELECT e.notice_id, e.vector FROM documents_searchentry e WHERE {where}
            ORDER BY e.issued_date DESC NULLS LAST, e.notice_id DESC LIMIT %s
        ) c ON true
        """,
        params + where_params + where_params + [RANKED_CANDIDATES],
    )
    rows = cursor.fetchall()
    ranks = {notice_id: rank for _, notice_id, rank in rows if notice_id is not None}
    return ranks, rows[0][0]


def _newest_matches_by_date(cursor, tsquery, params, where, where_params, matches):
    """For a word most notices hold: walk the newest-first index, testing each notice,
    until the candidates are found; the total is the planner's estimate (shown as 约)."""
    cursor.execute(
        f"""
        SET LOCAL enable_seqscan = off;
        SET LOCAL enable_bitmapscan = off;
        SELECT e.notice_id, ts_rank(e.vector, {tsquery}) FROM documents_searchentry e
        WHERE {where} ORDER BY e.issued_date DESC NULLS LAST, e.notice_id DESC LIMIT %s
        """,
        params + where_params + [RANKED_CANDIDATES],
    )
    ranks = dict(cursor.fetchall())
    if len(ranks) < RANKED_CANDIDATES:
        return ranks, len(ranks)  # the walk reached the end: it found every match
    return ranks, ApproximateCount(max(round(matches), len(ranks)))


class _IdArray(Expression):
    """Notice ids as one ``bigint[]`` parameter, which psycopg2 sends as it is (a Value with
    an ArrayField converts every id in Python: over half of compiling the ranked page)."""

    output_field = ArrayField(models.BigIntegerField())

    def __init__(self, ids):
        super().__init__()
        self.ids = tuple(ids)  # hashable as it is, for the expression's identity

    def as_sql(self, compiler, connection):
        return "%s::bigint[]", (list(self.ids),)  # a list: psycopg2 sends it as an ARRAY


class _IdIn(Func):
    """``id = ANY(ids)``: one parameter, where ``pk__in`` would compile and send one parameter
    per candidate (about 1 ms of Python for 200 of them)."""

    output_field = BooleanField()

    def __init__(self, ids):
        super().__init__(F("id"), _IdArray(ids))

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        array, array_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY({array})", (*column_params, *array_params)


def _rank_from(ranks, numbered):
    """The rank annotation for candidates ranked in SQL, a matching doc number first: minus
    the notice's place in that order (one array parameter, not a CASE per candidate)."""
    order = list(dict.fromkeys([*numbered, *sorted(ranks, key=ranks.get, reverse=True)]))
    place = Func(
        _IdArray(order),
        F("id"),
        function="array_position",
        output_field=FloatField(),
    )
    return Value(0.0, output_field=FloatField()) - place


def _match_words(queryset, words):
    matches = queryset
    for word in words:
        matches = matches.filter(_word_condition(word))
    return matches


def _rank_expression(words):
    """SQLite's relevance: 3, 2 or 1 points a word for a title, heading or body match."""
    total = Value(0.0, output_field=FloatField())
    for word in words:
        padded = f" {word} "
        total = total + Case(
            When(search_title__contains=padded, then=Value(3.0)),
            When(search_headings__contains=padded, then=Value(2.0)),
            When(search_body__contains=padded, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return total


def _word_condition(word):
    padded = f" {word} "
    return (
        Q(search_title__contains=padded)
        | Q(search_headings__contains=padded)
        | Q(search_body__contains=padded)
    )
