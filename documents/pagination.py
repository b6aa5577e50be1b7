"""Paging a large archive: lists read whole or counted once per archive generation, deep
pages by id first."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import caching, ranking


class ArchivePaginator(Paginator):
    """Django's paginator with three changes that keep a list page's cost flat as the archive
    grows, each cached until the archive changes (keyed by the archive generation and the
    query's SQL):

    - a list of at most ``WHOLE_UP_TO`` notices (a category, a body, any filter combination
      but the least selective) is read whole, the ids of all its notices in list order, in one
      statement: its count (共 N 个文件) is their number and each of its pages a slice of
      them. A category's page 80 walked the newest-first index probing 16,000 notices for
      their categories (20-38 ms at 100,000 notices), and a filtered list's count and its
      page each found every match again;
    - a longer list's count is cached likewise: it reads every matching row;
    - a longer list's page reads its rows' ids first (but a search's first pages), then those
      rows: skipping to page 4,000 walks 80,000 entries of the list-order index (an
      index-only scan) instead of 80,000 table rows, and a page past the middle walks the
      index from the end.

    Not read whole: a search (ranked in its own index, and counted there) and a list ordered
    by view counts (``keep_order`` false), whose order changes with every reading.
    """

    WHOLE_UP_TO = 50_000
    LONG_FOR = 24 * 3600

    # Rows skipped from which a search's page reads ids first: skipping fewer whole rows
    # costs less than the second statement.
    SKIP_BY_ID_FROM = 200

    def __init__(self, object_list, per_page, *, request, count=None, keep_order=True, **kwargs):
        """``count``: a function that counts ``object_list`` faster than its own count(), or
        returns None where it cannot. ``keep_order``: whether the list's order holds until the
        archive changes."""
        super().__init__(object_list, per_page, **kwargs)
        self.request = request
        self.count_rows = count
        self.keep_order = keep_order

    @cached_property
    def ids_sql(self) -> tuple[str, tuple] | None:
        """The statement that reads the ids of the list's first ``WHOLE_UP_TO + 1`` notices in
        list order, compiled once a page (compiling the list's query took about as long as
        running it); None for a query that can match nothing (an empty id list)."""
        queryset = self.object_list
        ids = queryset.values_list("pk", flat=True)[: self.WHOLE_UP_TO + 1]
        try:
            return ids.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            return None

    @cached_property
    def digest(self) -> str | None:
        """The list's query, as a digest of ``ids_sql`` (which holds its filters and its
        order); None for a query that can match nothing."""
        if self.ids_sql is None:
            return None
        sql, params = self.ids_sql
        return hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()

    def until_changed(self, kind: str, compute):
        """``compute()`` for this list's query, cached until the archive changes; None for a
        query that can match nothing."""
        if self.digest is None:
            return None
        return caching.until_changed(self.request, kind, compute, self.digest)

    @cached_property
    def whole(self) -> list[int] | None:
        """The ids of the whole list in its order, or None for a list that is not read whole
        (longer than WHOLE_UP_TO, a search, ordered by view counts).

        A list found longer is remembered as such for LONG_FOR across archive changes, so that
        the first request after each write does not read WHOLE_UP_TO ids again to learn it
        (the whole archive's list: 8 ms at 20,000). Remembered wrongly (the list has shrunk
        since), it is only counted and paged by id, as every longer list is."""
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or ranking.is_ranked(queryset) or not self.keep_order:
            return None
        longer = f"list-longer:{self.digest}"

        def read():  # once per archive generation: asked only when "list-ids" is not cached
            if cache.get(longer):
                return False
            # Run as compiled: one column, the integer primary key (no converter, no extra
            # select column: these querysets have no distinct() or extra()).
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(*self.ids_sql)
                ids = [pk for (pk,) in cursor.fetchall()]
            if len(ids) <= self.WHOLE_UP_TO:
                return ids
            cache.set(longer, True, self.LONG_FOR)
            return False  # (cached for this generation as longer too)

        ids = self.until_changed("list-ids", read)
        return ids if isinstance(ids, list) else None

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        if self.whole is not None:
            return len(self.whole)

        def count():
            counted = self.count_rows() if self.count_rows else None
            return self.object_list.count() if counted is None else counted

        return self.until_changed("count", count) or 0

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def rows(self, bottom, top):
        """The rows from ``bottom`` to ``top`` in list order: their ids by the list's own
        ordering (cheap to skip through, and to weigh a filter's candidates by), then the rows
        with everything a row shows. A search's first pages, where nearly every reader stays,
        in one statement: its index gives the matches in order, each read once either way."""
        if not isinstance(self.object_list, QuerySet):
            return self.object_list[bottom:top]
        if self.whole is not None:
            return self.rows_of(self.whole[bottom:top])
        ranked = ranking.is_ranked(self.object_list)
        if ranked and bottom < self.SKIP_BY_ID_FROM:
            return list(self.object_list[bottom:top])
        ids = self.object_list.values_list("pk", flat=True)
        if bottom > self.count / 2 and not ranked:
            # Past the middle, from the end: the list's order reversed (an index read
            # backwards) skips fewer entries. The count is this archive generation's, as the
            # rows are (every write advances it; another process sees that within a second).
            # Not for a search (annotated with its distance): ranked, its equal distances come
            # in the index's own order, which the reverse would not mirror.
            ids = list(ids.reverse()[self.count - top : self.count - bottom])[::-1]
        else:
            ids = list(ids[bottom:top])
        return self.rows_of(ids)

    def rows_of(self, ids):
        return rows_in_order(self.object_list, ids)


def rows_in_order(queryset, ids) -> list:
    """The rows of ``queryset`` with these ids, in the order of the ids (those it holds)."""
    # In the order of the ids: rows that tie on the list's order (equal relevance) could
    # otherwise come back in another order than the one the page was cut from.
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]
