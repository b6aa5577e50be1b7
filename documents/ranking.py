"""Ranked search over the notices: which match a parsed query, and in what order.

Every match is ranked, however many there are, by the words stored for each notice in three
fields: the title (with the doc number and the issuing bodies), the units' headings, the text.

- **PostgreSQL**: ``SearchEntry.vector``, the notice's weighted tsvector (A, B, C), in a RUM
  index. RUM keeps each word's positions and weights in the index, so ``ORDER BY vector <=>
  query`` ranks all matches inside the index and reads no vector from the table. ``<=>`` is
  the inverse of RUM's cover-density score: each occurrence counts by its field's weight (A 1,
  B 0.4, C 0.2) and each repeat of the same words counts less (the n-th by 1/n², a sum that
  converges), so one title hit outweighs a text that repeats the word any number of times.
- **SQLite**: the same three fields in an FTS5 table, ranked by ``bm25()`` (term frequency
  saturation, length normalisation) with weights in the proportions of A, B and C.

On both, ``distance`` is how far a notice is from the query: the least comes first. The words
themselves come from ``documents.search``; this module needs no model class. With
``SEARCH_URL``, most searches are ranked by the search service instead
(``documents.search_service``), and this ranking is what it falls back on.
"""

import functools
import operator

from django.contrib.postgres.search import SearchQuery as TsQuery
from django.db import connections
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, Value, When

from .search import SearchQuery

# bm25() weights of the title, headings and text columns: RUM's A : B : C is 1 : 0.4 : 0.2.
BM25_WEIGHTS = (5.0, 2.0, 1.0)
FTS_TABLE = "documents_searchindex"


def search(queryset, query: SearchQuery):
    """The notices of ``queryset`` that match the query, best first, annotated ``distance``.

    Every word must match (AND), quoted phrases must appear as written, excluded words must
    not appear; notices with a doc number typed as the query come first.
    """
    if not (query or query.excluded):
        return queryset
    engine = PostgreSQLIndex if connections[queryset.db].vendor == "postgresql" else SQLiteIndex
    if query.words:
        matches = engine.matching(queryset, query.words, query.excluded)
        distance = engine.distance(query.words, query.excluded)
    else:  # only excluded words: nothing to rank by
        matches = engine.excluding(queryset, query.excluded)
        distance = Value(0.0, output_field=FloatField())
    sections = queryset.model._meta.get_field("sections").related_model
    for phrase in query.phrases:
        in_units = sections.objects.filter(search_text__contains=phrase).values("notice_id")
        matches = matches.filter(Q(search_text__contains=phrase) | Q(id__in=in_units))
    numbered = _numbered(queryset, query)
    if numbered:
        matches = queryset.filter(Q(id__in=numbered) | Q(id__in=matches.values("id")))
        distance = Case(When(id__in=numbered, then=Value(-1.0)), default=distance)
    return matches.annotate(distance=distance).order_by(*engine.ordering)


def is_ranked(queryset) -> bool:
    """Whether ``queryset`` holds a search's matches (annotated ``distance`` by ``search()``)."""
    return "distance" in queryset.query.annotations


def count_in_index(queryset, query: SearchQuery) -> int | None:
    """How many published notices match the query, counted in PostgreSQL's search table alone,
    for a search of the whole archive (``queryset``: the published notices, no other filter).
    The same notices as ``search()`` finds (a search entry's ``is_published`` is set with its
    notice's status, in one transaction) without joining the 97,000 published notice rows,
    which was 60-70 % of a common word's count at 100,000 notices. None where it would not be
    the same count: SQLite, phrases (matched in the notices' text), doc numbers (matched on the
    notices), a query of excluded words only."""
    if (
        connections[queryset.db].vendor != "postgresql"
        or not query.words
        or query.phrases
        or query.doc_number
    ):
        return None
    entries = queryset.model._meta.get_field("search_entry").related_model.objects
    return PostgreSQLIndex.matching_entries(entries.using(queryset.db), query).count()


def _numbered(queryset, query: SearchQuery) -> list[int]:
    """Ids of the notices whose doc number is the query (the first hundred)."""
    if not query.doc_number:
        return []
    by_number = Q(doc_number_normalized=query.doc_number)
    if query.doc_serial is not None:
        by_number |= Q(doc_serial=query.doc_serial)
    return list(queryset.filter(by_number).values_list("id", flat=True)[:100])


class PostgreSQLIndex:
    """The RUM index of SearchEntry.vector (A title, B headings, C text)."""

    # The distance alone: RUM can return its matches in that order and nothing else (a second
    # key would sort every match outside the index: 1,453 ms against 17.6 ms for a word with
    # 39,383 matches). Equal distances come in the index's own order, the same on every page
    # (checked at 100,000 notices on words of 49 to 96,942 matches). Not always in a small
    # table: in the test database, 45 matches in five equal ranks once listed one notice on two
    # pages and another on none (once in a CI run; 0 of 8 runs since; not traced).
    ordering = ("distance",)

    @staticmethod
    def tsquery(words, excluded=()):
        """Every word (as PostgreSQL's parser cuts it, like the stored words) and none of the
        excluded ones."""
        query = functools.reduce(operator.and_, (TsQuery(w, config="simple") for w in words))
        for word in excluded:
            query &= ~TsQuery(word, config="simple")
        return query

    @classmethod
    def matching(cls, queryset, words, excluded):
        # is_published matches the RUM index's own condition, so the index can answer.
        return queryset.filter(
            search_entry__is_published=True, search_entry__vector=cls.tsquery(words, excluded)
        )

    @classmethod
    def matching_entries(cls, entries, query: SearchQuery):
        """The search entries ``matching`` finds the notices of (for counting them alone)."""
        return entries.filter(is_published=True, vector=cls.tsquery(query.words, query.excluded))

    @classmethod
    def excluding(cls, queryset, excluded):
        return queryset.exclude(
            search_entry__vector=functools.reduce(
                operator.or_, (TsQuery(w, config="simple") for w in excluded)
            )
        )

    @classmethod
    def distance(cls, words, excluded):
        return Func(
            F("search_entry__vector"),
            cls.tsquery(words, excluded),
            arg_joiner=" <=> ",
            template="(%(expressions)s)",
            output_field=FloatField(),
        )


class SQLiteIndex:
    """The FTS5 table documents_searchindex (rowid = notice id; title, headings, body)."""

    ordering = ("distance", F("issued_date").desc(nulls_last=True), "-id")

    @staticmethod
    def expression(words, excluded=()) -> str:
        """An FTS5 query: every word as a quoted string (AND), minus the excluded ones."""
        quoted = " AND ".join(_fts_string(w) for w in words)
        return f"({quoted})" + "".join(f" NOT {_fts_string(w)}" for w in excluded)

    @classmethod
    def matching(cls, queryset, words, excluded):
        return queryset.filter(_FtsMatch(cls.expression(words, excluded)))

    @classmethod
    def excluding(cls, queryset, excluded):
        return queryset.exclude(_FtsMatch(" OR ".join(_fts_string(w) for w in excluded)))

    @classmethod
    def distance(cls, words, excluded):
        return _Bm25(cls.expression(words, excluded), f"title : {cls.expression(words)}")


def _fts_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class _FtsMatch(Func):
    """``id IN (the rowids the FTS5 expression matches)``."""

    output_field = BooleanField()

    def __init__(self, expression: str):
        super().__init__(F("id"))
        self.expression = expression

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        return sql, (*params, self.expression)


class _Bm25(Func):
    """The notice's bm25() for the FTS5 expression (negative: the best match the lowest),
    less TITLE_FIRST when its title holds every word.

    bm25() applies the column weights before it saturates the term frequency, so a text that
    repeats a word hundreds of times can outscore a title that holds it once; PostgreSQL's
    weights put every title hit first, and so does this.
    """

    output_field = FloatField()
    TITLE_FIRST = 1000.0  # more than any bm25() of a query of MAX_QUERY_WORDS words

    def __init__(self, expression: str, title_expression: str):
        super().__init__(F("id"))
        self.expression = expression
        self.title_expression = title_expression

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = (
            f"((SELECT bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH %s AND rowid = {column})"
            f" - {self.TITLE_FIRST} * EXISTS(SELECT 1 FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH %s AND rowid = {column}))"
        )
        return sql, (self.expression, *params, self.title_expression, *params)
