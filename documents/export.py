"""CSV export of a filtered notice list: the list page's query string, the list page's rows."""

import csv

from django.db.models import QuerySet
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .filters import NoticeFilter
from .i18n import show_simplified
from .models import Notice
from .parsing.docnumber import official_doc_number

# A spreadsheet, not a dump: past this many rows, use the paginated API.
MAX_EXPORT_ROWS = 10_000
CHUNK_SIZE = 1_000
COLUMNS = [
    "id",
    "title",
    "doc_number",
    "doc_number_official",
    "issuing_bodies",
    "issued_date",
    "published_date",
    "validity",
    "categories",
    "url",
]
# Excel reads a CSV file as the system's legacy code page unless it starts with a UTF-8 BOM.
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet: quote it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands back the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def _text(value: str) -> str:
    """A text cell that a spreadsheet shows as text: a leading formula character is quoted."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _row(notice, build_url):
    """A notice's row in one script, 简体 (the default), whatever the reader chose: a row that
    gave a traditional title beside simplified issuers read as two languages, and an export URL
    gives the same file to everyone. The doc number also as the source wrote it."""
    return [
        notice.pk,
        _text(show_simplified(notice.title)),
        _text(notice.doc_number),
        _text(show_simplified(official_doc_number(notice.doc_number))),
        _text(show_simplified("；".join(body.name for body in notice.issuing_bodies()))),
        notice.issued_date.isoformat() if notice.issued_date else "",
        notice.published_date.isoformat() if notice.published_date else "",
        _text(show_simplified(str(notice.get_validity_display()))),
        _text(show_simplified("；".join(c.name for c in notice.categories.all()))),
        build_url(notice.get_absolute_url()),
    ]


def _in_chunks(notices):
    """The first MAX_EXPORT_ROWS notices, read CHUNK_SIZE at a time: a queryset's, or a
    search service's ranking's (a sequence of rows, documents.search_service)."""
    if isinstance(notices, QuerySet):
        yield from notices[:MAX_EXPORT_ROWS].iterator(chunk_size=CHUNK_SIZE)
        return
    for start in range(0, min(len(notices), MAX_EXPORT_ROWS), CHUNK_SIZE):
        yield from notices[start : min(start + CHUNK_SIZE, MAX_EXPORT_ROWS)]


@require_safe
def notice_export(request):
    """The notices the list page shows for this query string, as UTF-8 CSV (at most 10,000)."""
    notices = Notice.objects.published().with_categories_and_issuers().newest_first()
    filterset = NoticeFilter(request.GET, queryset=notices)
    if not filterset.is_valid():
        problems = [
            f"{name}: {message}"
            for name, messages in filterset.form.errors.items()
            for message in messages
        ]
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    rows = _in_chunks(filterset.qs)
    writer = csv.writer(_Echo())

    def lines():
        yield BOM + writer.writerow(COLUMNS)
        for notice in rows:
            yield writer.writerow(_row(notice, request.build_absolute_uri))

    filename = f"policyhub-notices-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
