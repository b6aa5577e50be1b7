"""Restoring the archive from its JSON Lines file (the format: ``documents.backup``).

A file is read and verified in full (its header, every line, the records' content hash)
before anything is written; the restore is one transaction, which rolls back unless the
database then hashes to the file's ``content_sha256``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.dateparse import parse_date, parse_datetime

from .backup import (
    BATCH_SIZE,
    FORMAT_NAME,
    FORMAT_VERSION,
    NOTICE_FIELDS,
    UNIT_FIELDS,
    ArchiveError,
    ArchiveSummary,
    ContentHash,
    Progress,
    canonical,
    database_summary,
)
from .models import (
    ArchiveGeneration,
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    NoticeViews,
    Section,
)
from .services import index_notices


class ArchiveNotEmpty(Exception):
    """The database already holds notices and the restore was not forced."""


def _open_lines(path: Path) -> Iterator[str]:
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"找不到备份文件：{path}")
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="\n") as lines:
            yield from lines
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise ArchiveError(f"备份文件已损坏，无法读取：{error}") from error


def read_archive(path: Path) -> tuple[dict, Iterator[dict]]:
    """The header and an iterator over the records, each line parsed (not yet verified)."""
    lines = _open_lines(path)
    header = _parse_line(next(lines, ""), 1)
    if header.get("format") != FORMAT_NAME:
        raise ArchiveError(
            "不是 PolicyHub 备份文件：第 1 行没有 format=policyhub-archive 的文件头。"
        )
    if header.get("version") != FORMAT_VERSION:
        raise ArchiveError(
            f"备份格式版本 {header.get('version')!r} 不受支持（本程序读取版本 {FORMAT_VERSION}）。"
        )
    if not isinstance(header.get("content_sha256"), str) or not isinstance(
        header.get("counts"), dict
    ):
        raise ArchiveError("备份文件头缺少 counts 或 content_sha256。")

    def records():
        for number, line in enumerate(lines, start=2):
            if line.strip():
                yield _parse_line(line, number)

    return header, records()


def _parse_line(line: str, number: int) -> dict:
    if not line.endswith("\n"):
        raise ArchiveError(f"备份文件已损坏：第 {number} 行不完整（文件被截断？）。")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ArchiveError(
            f"备份文件已损坏：第 {number} 行不是有效的 JSON（{error.msg}）。"
        ) from None
    if not isinstance(record, dict):
        raise ArchiveError(f"备份文件已损坏：第 {number} 行不是一个 JSON 对象。")
    return record


def verify_archive(path: Path) -> ArchiveSummary:
    """Read the whole file and check its records against the header's counts and hash."""
    header, records = read_archive(path)
    digest = ContentHash()
    counts: dict[str, int] = {}
    for record in records:
        if record.get("type") not in {"category", "issuing_body", "notice"}:
            raise ArchiveError(f"备份文件含有未知的记录类型：{record.get('type')!r}。")
        digest.add(canonical(record))
        counts[record["type"]] = counts.get(record["type"], 0) + 1
    if counts != header["counts"]:
        raise ArchiveError(f"备份文件不完整：文件头记录数 {header['counts']}，实际读到 {counts}。")
    if digest.hexdigest() != header["content_sha256"]:
        raise ArchiveError(
            "备份文件已损坏：内容的 SHA-256 与文件头不符"
            f"（文件头 {header['content_sha256']}，实际 {digest.hexdigest()}）。"
        )
    return ArchiveSummary(counts=counts, content_sha256=digest.hexdigest())


def import_archive(
    path: Path, *, force: bool = False, progress: Progress | None = None
) -> ArchiveSummary:
    """Restore an archive file into a database without notices, in one transaction.

    The file is verified in full before anything is written. ``force`` first deletes every
    notice (with its units, attachments and links) so that the archive replaces them. After
    the restore the categories and issuing bodies are exactly the file's, notices keep their
    ids (their public URLs), and the database's content hash must equal the file's — otherwise
    the transaction is rolled back.
    """
    expected = verify_archive(path)
    _, records = read_archive(path)
    with transaction.atomic():
        if Notice.objects.exists():
            if not force:
                raise ArchiveNotEmpty(
                    f"数据库中已有 {Notice.objects.count()} 篇文件；恢复只写入空库。"
                    "要用备份替换现有全部文件，请加 --force。"
                )
            Notice.objects.all().delete()
        restorer = _Restorer(expected.counts.get("notice", 0), progress)
        for record in records:
            restorer.add(record)
        restorer.finish()
        restored = database_summary()
        if restored.content_sha256 != expected.content_sha256:
            raise ArchiveError(
                "恢复后的内容与备份不一致，已回滚"
                f"（备份 {expected.content_sha256}，数据库 {restored.content_sha256}）。"
            )
    return restored


class _Restorer:
    """Writes records in file order: categories, then bodies, then notices in batches."""

    def __init__(self, total: int, progress: Progress | None):
        self.total = total
        self.progress = progress
        self.done = 0
        self.category_slugs: list[str] = []
        self.bodies_cleared = False
        self.bodies: dict[str, IssuingBody] = {}
        self.categories: dict[str, Category] = {}
        self.batch: list[dict] = []

    def add(self, record: dict) -> None:
        with _malformed(record):
            if record["type"] == "category":
                self._category(record)
            elif record["type"] == "issuing_body":
                self._body(record)
            else:
                self.batch.append(record)
                if len(self.batch) >= BATCH_SIZE:
                    self._flush()

    def finish(self) -> None:
        with _malformed(self.batch[0] if self.batch else {}):
            self._flush()
        # The menu is the archive's: categories the file does not hold hold no notices now.
        Category.objects.exclude(slug__in=self.category_slugs).delete()
        _reset_sequences()
        # Cached menus and summaries expire, even for an archive without notices.
        ArchiveGeneration.advance()

    def _category(self, record: dict) -> None:
        category, _ = Category.objects.update_or_create(
            slug=record["slug"],
            defaults={
                "name": record["name"],
                "menu_order": record["menu_order"],
                "description": record["description"],
            },
        )
        self.category_slugs.append(category.slug)
        self.categories[category.slug] = category

    def _body(self, record: dict) -> None:
        if not self.bodies_cleared:
            # No notice refers to a body any more: the file's bodies replace them all.
            IssuingBody.objects.all().delete()
            self.bodies_cleared = True
        body = IssuingBody.objects.create(
            name=record["name"], short_name=record["short_name"], slug=record["slug"]
        )
        self.bodies[body.name] = body

    def _flush(self) -> None:
        if not self.batch:
            return
        records, self.batch = self.batch, []
        notices = []
        for record in records:
            notice = Notice(id=record["id"], **{name: record[name] for name in NOTICE_FIELDS})
            notice.issued_date = parse_date(record["issued_date"] or "")
            notice.published_date = parse_date(record["published_date"] or "")
            notice.lead_issuer = (
                self.bodies[record["lead_issuer"]] if record["lead_issuer"] else None
            )
            notice.fold_keys()
            notices.append(notice)
        Notice.objects.bulk_create(notices)
        # bulk_create stamps auto_now fields with the present; bulk_update writes them as given.
        for notice, record in zip(notices, records, strict=True):
            notice.created_at = parse_datetime(record["created_at"])
            notice.updated_at = parse_datetime(record["updated_at"])
        Notice.objects.bulk_update(notices, ["created_at", "updated_at"], batch_size=BATCH_SIZE)

        category_links, co_issuers, attachments = [], [], []
        for record in records:
            notice_id = record["id"]
            category_links += [
                Notice.categories.through(notice_id=notice_id, category=self.categories[slug])
                for slug in record["categories"]
            ]
            co_issuers += [
                CoIssuer(notice_id=notice_id, body=self.bodies[c["name"]], position=c["position"])
                for c in record["co_issuers"]
            ]
            attachments += [
                Attachment(
                    notice_id=notice_id, title=a["title"], position=a["position"], file=a["file"]
                )
                for a in record["attachments"]
            ]
        Notice.categories.through.objects.bulk_create(category_links)
        CoIssuer.objects.bulk_create(co_issuers)
        Attachment.objects.bulk_create(attachments)
        NoticeViews.objects.bulk_create(
            NoticeViews(notice_id=record["id"], count=record["view_count"])
            for record in records
            if record["view_count"]
        )
        self._units(records)

        index_notices([record["id"] for record in records])
        self.done += len(records)
        if self.progress:
            self.progress(self.done, self.total)

    @staticmethod
    def _units(records: Iterable[dict]) -> None:
        """Insert the units level by level, so that each parent has its id before its children."""
        levels: list[list[Section]] = []
        for record in records:
            units = record["units"]
            sections = [
                Section(notice_id=record["id"], **{k: unit[k] for k in UNIT_FIELDS})
                for unit in units
            ]
            for index, section in enumerate(sections):
                depth, parent = 0, units[index]["parent"]
                while parent is not None:
                    if not (isinstance(parent, int) and 0 <= parent < len(units)) or depth > len(
                        units
                    ):
                        raise ArchiveError(
                            f"文件 {record['id']} 的条目 {section.label} 的上级 {parent} 无效。"
                        )
                    depth, parent = depth + 1, units[parent]["parent"]
                parent = units[index]["parent"]
                section.parent_unit = sections[parent] if parent is not None else None
                while len(levels) <= depth:
                    levels.append([])
                levels[depth].append(section)
        for level in levels:
            for section in level:
                section.parent = section.parent_unit
            Section.objects.bulk_create(level, batch_size=BATCH_SIZE)


@contextmanager
def _malformed(record: dict):
    """A record with a missing or mistyped field is a damaged archive, not a crash."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ArchiveError(
            f"备份记录字段缺失或有误（{record.get('type')} {record.get('id', '')}）：{error!r}"
        ) from error


def _reset_sequences() -> None:
    """Notices were inserted with their own ids: move the id sequences past them (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Notice, Section, Attachment, CoIssuer, IssuingBody, Category]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
