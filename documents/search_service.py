"""The app's side of the search service (``manage.py serve_search``, ``SEARCH_URL``).

With ``SEARCH_URL`` set, a search sorted by relevance whose conditions the service knows
(words, excluded words, category, issuing body, year, dates, validity) is ranked and counted
by the service's index (``documents.search_index``); the page's rows are then read from the
database by id. Anything else (phrases, a doc number typed as the query, a ``cites`` or
``doc_number`` filter, another sort, no ``SEARCH_URL``) is ranked in the database
(``documents.ranking``), and so is a search the service cannot answer at the moment (not
running, still indexing after a start, timed out, not yet in step with the latest write):
search keeps working, slower.
"""

import datetime
import json
import logging
import threading
import time
from http.client import HTTPConnection, HTTPException, RemoteDisconnected
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from . import ranking
from .models import ArchiveGeneration
from .pagination import rows_in_order
from .search import SearchQuery
from .search_index import day_range

logger = logging.getLogger(__name__)

# The conditions the service filters by, as NoticeFilter names them.
KNOWN_FILTERS = {"category", "issuer", "year", "date", "validity"}
# Asked with the count: the first page's rows come with it.
FIRST_ROWS = 20


class Unavailable(Exception):
    """The service did not answer, or not with a result."""


def ranking_of(queryset, query: SearchQuery, conditions: dict, *, unfiltered):
    """The service's ranking of the query's matches among ``queryset`` (the notices the
    ``conditions`` leave: {filter name: value}), or None where the service is not for it.
    ``unfiltered``: ``queryset`` before the conditions, which the page's rows are read from
    by id (the service has applied them: an issuer's, read again, took 8.4 ms against 3.8)."""
    if (
        not settings.SEARCH_URL
        or not query.words
        or query.phrases
        or query.doc_number
        or not set(conditions) <= KNOWN_FILTERS
    ):
        return None
    return ServiceRanking(queryset, query, _parameters(query, conditions), unfiltered)


def _parameters(query: SearchQuery, conditions: dict) -> list[tuple[str, str]]:
    parameters = [("word", w) for w in query.words] + [("not", w) for w in query.excluded]
    parameters += [("typed", w) for w in query.typed]
    for name in ("category", "issuer"):
        if name in conditions:
            parameters.append((name, str(conditions[name].pk)))
    if "validity" in conditions:
        parameters.append(("validity", conditions["validity"]))
    days = []
    if "year" in conditions:
        year = conditions["year"]
        days.append(day_range(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    if "date" in conditions:
        days.append(day_range(conditions["date"].start, conditions["date"].stop))
    for first, last in days:
        parameters.append(("issued", f"{first or ''}:{last or ''}"))
    return parameters


class ServiceRanking:
    """A search's matches in the service's order, for a Paginator: ``count()`` and slices of
    rows. The first ``FIRST_ROWS`` ids come with the count (one request for a first page).
    Where the service fails, the database's ranking (``ranking.search``) takes over."""

    ordered = True  # (REST framework's paginator warns about a list without an order)

    def __init__(self, queryset, query: SearchQuery, parameters, unfiltered):
        self.queryset = queryset
        self.unfiltered = unfiltered
        self.query = query
        self.parameters = parameters
        self.window = (0, [])  # (offset, ids) of the last ids asked
        self.total = None
        self.in_database = None  # ranking.search()'s queryset, once the service has failed

    def count(self) -> int:
        if self.total is None and self.in_database is None:
            self._ask(0, FIRST_ROWS)
        return self.in_database.count() if self.in_database is not None else self.total

    def __len__(self):
        return self.count()

    def __getitem__(self, key: slice):
        start, stop = key.start or 0, key.stop
        offset, ids = self.window
        if self.in_database is None and not (offset <= start and stop <= offset + len(ids)):
            if self.total is None or start < self.total:
                self._ask(start, stop - start)
                offset, ids = self.window
        if self.in_database is not None:
            return list(self.in_database[key])
        return rows_in_order(self.unfiltered, ids[start - offset : stop - offset])

    def _ask(self, offset: int, limit: int) -> None:
        try:
            answer = ask([*self.parameters, ("offset", offset), ("limit", limit)])
            if answer["generation"] < ArchiveGeneration.current():
                # A write the index has not taken in yet (it syncs within its poll): this page
                # would be cached and validated as of the new generation.
                raise Unavailable("not yet in step with the latest write")
            self.window, self.total = (offset, answer["ids"]), answer["count"]
        except Unavailable as error:
            logger.info("search service: %s; ranking in the database", error)
            self.in_database = ranking.search(self.queryset, self.query)


_kept = threading.local()  # per thread: (the service's host and port, a kept connection)
# When the service last failed, by its address: it is not asked again for BACK_OFF seconds
# (a service that hangs would otherwise cost every search SEARCH_TIMEOUT).
_failed_at: dict[str, float] = {}
BACK_OFF = 5.0


def ask(parameters) -> dict:
    """The service's answer to ``/search?<parameters>``: {"ids": [...], "count": n,
    "generation": g}; Unavailable if it gives none."""
    url = urlsplit(settings.SEARCH_URL)
    if time.monotonic() - _failed_at.get(url.netloc, float("-inf")) < BACK_OFF:
        raise Unavailable(f"{settings.SEARCH_URL} failed less than {BACK_OFF:.0f} s ago")
    path = f"{url.path.rstrip('/')}/search?{urlencode(parameters)}"
    netloc, connection = getattr(_kept, "connection", (None, None))
    kept = netloc == url.netloc
    if not kept:
        connection = HTTPConnection(url.hostname, url.port, timeout=settings.SEARCH_TIMEOUT)
        _kept.connection = (url.netloc, connection)
    try:
        try:
            connection.request("GET", path)
            response = connection.getresponse()
        except (RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if not kept:
                raise
            connection.close()  # a kept connection the service had closed: once more, anew
            connection.request("GET", path)
            response = connection.getresponse()
        body = response.read()
    except (OSError, HTTPException) as error:
        connection.close()
        _kept.connection = (None, None)
        _failed_at[url.netloc] = time.monotonic()
        raise Unavailable(f"{settings.SEARCH_URL}: {error}") from error
    if response.status != 200:
        raise Unavailable(f"{settings.SEARCH_URL} answered {response.status}: {body[:200]!r}")
    return json.loads(body)
