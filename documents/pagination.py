"""Paging a large archive: counts cached until the archive changes, deep pages by id first."""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import caching, ranking


class ArchivePaginator(Paginator):
    """Django's paginator with two changes that keep a list page's cost flat as the archive
    grows:

    - the count (共 N 个文件) is cached, keyed by the archive generation and the query's SQL: a
      count reads every matching row, and it only changes when the archive does;
    - a page reads its rows' ids first (but a search's first pages), then those rows:
      skipping to page 4,000 walks 80,000 entries of the list-order index (an index-only scan)
      instead of 80,000 table rows, and a page past the middle walks the index from the end.
    """

    # Rows skipped from which a search's page reads ids first: skipping fewer whole rows
    # costs less than the second statement.
    SKIP_BY_ID_FROM = 200

    def __init__(self, object_list, per_page, *, request, count=None, **kwargs):
        """``count``: a function that counts ``object_list`` faster than its own count(), or
        returns None where it cannot."""
        super().__init__(object_list, per_page, **kwargs)
        self.request = request
        self.count_rows = count

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        queryset = self.object_list
        try:
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            return 0  # a filter that can match nothing (an empty id list)
        digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()

        def count():
            counted = self.count_rows() if self.count_rows else None
            return queryset.count() if counted is None else counted

        return caching.until_changed(self.request, "count", count, digest)

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
        # In the order of the ids: rows that tie on the list's order (equal relevance) could
        # otherwise come back in another order than the one the page was cut from.
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
