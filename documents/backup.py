"""Backup of the whole archive as a portable JSON Lines file (restored by ``documents.restore``).

The file is UTF-8 JSON Lines, gzip-compressed when its name ends in ``.gz``. The first line is a
header: the format name and version, the record counts and ``content_sha256``. Every further
line is one record — a ``category``, an ``issuing_body`` or a ``notice`` with its co-issuers,
categories, attachments (metadata only) and numbered units. Records are written in a fixed order
with sorted keys, so the same archive always gives the same bytes.

``content_sha256`` is the SHA-256 of the records' canonical serialization (one compact,
key-sorted JSON text per record, joined by newlines). It is computed again from the file when
restoring and from the database after restoring; a file whose records do not hash to its header
is damaged and refused.

What is not in the file: values derived from others and recomputed on restore (the folded doc
number and its parts, the search index), the attachments' files themselves (only their names),
edit history (django-reversion), users and roles.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch

from .models import (
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    Section,
)

FORMAT_NAME = "policyhub-archive"
FORMAT_VERSION = 1
BATCH_SIZE = 500

NOTICE_FIELDS = [
    "title",
    "doc_number",
    "addressees",
    "preamble",
    "signatory",
    "source",
    "index_number",
    "body_title",
    "body_intro",
    "validity",
    "status",
]
UNIT_FIELDS = ["kind", "label", "number", "heading", "text", "position", "anchor"]


class ArchiveError(Exception):
    """The file is not a readable archive of this format, or it is damaged."""


@dataclass
class ArchiveSummary:
    counts: dict[str, int] = field(default_factory=dict)
    content_sha256: str = ""

    def report(self) -> str:
        """What the export and import commands print at the end."""
        counts = self.counts
        return (
            f"{counts.get('notice', 0)} 篇文件，{counts.get('issuing_body', 0)} 个发文机关，"
            f"{counts.get('category', 0)} 个分类\ncontent sha256: {self.content_sha256}"
        )


Progress = Callable[[int, int], None]


def canonical(record: dict) -> str:
    """One record as the hash and the file see it: compact, keys sorted, non-ASCII as written."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ContentHash:
    """SHA-256 over canonical records joined by newlines."""

    def __init__(self):
        self._sha = hashlib.sha256()
        self._first = True

    def add(self, text: str) -> None:
        if not self._first:
            self._sha.update(b"\n")
        self._sha.update(text.encode("utf-8"))
        self._first = False

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


# --- Reading the database -------------------------------------------------------------------


def archive_records(progress: Progress | None = None) -> Iterator[dict]:
    """Every record of the archive in file order: categories, issuing bodies, notices by id."""
    for category in Category.objects.order_by("slug"):
        yield {
            "type": "category",
            "slug": category.slug,
            "name": category.name,
            "menu_order": category.menu_order,
            "description": category.description,
        }
    for body in IssuingBody.objects.order_by("name"):
        yield {
            "type": "issuing_body",
            "name": body.name,
            "short_name": body.short_name,
            "slug": body.slug,
        }
    notices = (
        Notice.objects.order_by("id")
        .with_view_counts()
        .select_related("lead_issuer")
        .prefetch_related(
            Prefetch("categories", Category.objects.order_by("slug")),
            Prefetch("co_issuer_links", CoIssuer.objects.select_related("body")),
            Prefetch("attachments", Attachment.objects.order_by("position", "id")),
            Prefetch("sections", Section.objects.order_by("position", "id")),
        )
    )
    total = Notice.objects.count()
    for done, notice in enumerate(notices.iterator(chunk_size=BATCH_SIZE), start=1):
        yield notice_record(notice)
        if progress and (done % 100 == 0 or done == total):
            progress(done, total)


def notice_record(notice: Notice) -> dict:
    record = {"type": "notice", "id": notice.pk}
    record.update({name: getattr(notice, name) for name in NOTICE_FIELDS})
    record["view_count"] = notice.view_count  # (in NoticeViews; where it stood in the format)
    record["issued_date"] = _iso(notice.issued_date)
    record["published_date"] = _iso(notice.published_date)
    record["created_at"] = _iso(notice.created_at)
    record["updated_at"] = _iso(notice.updated_at)
    record["lead_issuer"] = notice.lead_issuer.name if notice.lead_issuer else None
    links = sorted(notice.co_issuer_links.all(), key=lambda link: (link.position, link.body.name))
    record["co_issuers"] = [{"name": link.body.name, "position": link.position} for link in links]
    record["categories"] = [category.slug for category in notice.categories.all()]
    record["attachments"] = [
        {"title": a.title, "position": a.position, "file": a.file.name or ""}
        for a in notice.attachments.all()
    ]
    units = list(notice.sections.all())
    index_of = {unit.pk: index for index, unit in enumerate(units)}
    record["units"] = [
        {
            **{name: getattr(unit, name) for name in UNIT_FIELDS},
            # The parent as an index into this list: ids are not kept across databases.
            "parent": index_of.get(unit.parent_id),
        }
        for unit in units
    ]
    return record


def _iso(value: datetime.date | None) -> str | None:
    """ISO 8601; a timestamp in UTC, so the file does not depend on the server's time zone."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC)
    return value.isoformat()


def database_summary() -> ArchiveSummary:
    """Counts and content hash of what the database holds now, as an export would write it."""
    summary = ArchiveSummary()
    digest = ContentHash()
    for record in archive_records():
        digest.add(canonical(record))
        summary.counts[record["type"]] = summary.counts.get(record["type"], 0) + 1
    summary.content_sha256 = digest.hexdigest()
    return summary


# --- Writing and reading files --------------------------------------------------------------


def export_archive(path: Path, progress: Progress | None = None) -> ArchiveSummary:
    """Write the archive to ``path`` (gzip if it ends in .gz), atomically; return its summary.

    Records are streamed to a temporary file while the hash is computed, then the header is
    written in front of them, all inside one read transaction so the snapshot is consistent.
    """
    summary = ArchiveSummary()
    digest = ContentHash()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body, transaction.atomic():
        for record in archive_records(progress):
            text = canonical(record)
            digest.add(text)
            body.write(text + "\n")
            summary.counts[record["type"]] = summary.counts.get(record["type"], 0) + 1
        summary.content_sha256 = digest.hexdigest()
        header = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "counts": summary.counts,
            "content_sha256": summary.content_sha256,
        }
        body.seek(0)
        with _atomic_output(path) as out:
            out.write(canonical(header) + "\n")
            for line in body:
                out.write(line)
    return summary


@contextmanager
def _atomic_output(path: Path):
    """A text stream that replaces ``path`` only once fully written (no half-written backup)."""
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as raw:
            if path.suffix == ".gz":
                # mtime=0 and no file name in the gzip header: the same archive, the same bytes.
                binary = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            else:
                binary = raw
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as text:
                yield text
                text.flush()
                if binary is not raw:
                    binary.close()
        os.replace(temp_name, path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
