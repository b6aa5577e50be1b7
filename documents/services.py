"""The write paths: one function per action, used by the admin, the commands and the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import reversion
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from . import caching, citations, search
from .models import (
    ArchiveGeneration,
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    SearchEntry,
    Section,
)
from .parsing.docnumber import normalize_doc_number
from .parsing.script import to_simplified
from .ranking import FTS_TABLE

if TYPE_CHECKING:
    from .parsing import ParsedNotice, ParsedUnit


class DuplicateNotice(Exception):
    """The archive already holds this notice: the same lead issuer and doc number, or, for a
    notice without one, the same lead issuer, title and 成文日期."""

    def __init__(self, existing: Notice):
        self.existing = existing
        super().__init__(
            f"重复：{existing.lead_issuer or '（无发文机关）'}已有{duplicate_reason(existing)}"
            f"的文件《{existing.title}》（编号 {existing.pk}）。"
        )


def duplicate_reason(existing: Notice) -> str:
    """What makes an archived notice the same one: its doc number, or its title and date."""
    if existing.doc_number:
        return f"发文字号{existing.doc_number}"
    return "同一标题、同一成文日期"


class ImportRefused(Exception):
    """The parsed text lacks what a notice needs (a title, a body)."""


@dataclass
class ImportResult:
    notice: Notice
    created: bool


def import_problems(parsed: ParsedNotice) -> list[str]:
    """Why a parse cannot become a notice: no title, or no body. Empty when it can."""
    problems = []
    if not parsed.title.strip():
        problems.append("没有识别出标题，未保存。")
    if not (parsed.units or parsed.preamble.strip() or parsed.body_intro.strip()):
        problems.append("没有识别出正文，未保存。")
    return problems


def unknown_bodies(parsed: ParsedNotice) -> list[str]:
    """The parse's issuing bodies that the archive does not hold yet (by their simplified
    name): importing the notice creates them, so an editor confirms them first."""
    names = list(dict.fromkeys(canonical_body_name(name) for name in parsed.issuing_bodies))
    known = set(IssuingBody.objects.filter(name__in=names).values_list("name", flat=True))
    return [name for name in names if name not in known]


def find_duplicate(parsed: ParsedNotice) -> Notice | None:
    """The notice already archived as this parse: under its lead issuer, the one with its doc
    number; for a notice without a number, the one with its title (in either script, spacing
    aside) and 成文日期."""
    issuer_name = parsed.issuing_bodies[0] if parsed.issuing_bodies else ""
    by_issuer = Notice.objects.select_related("lead_issuer")
    if issuer_name:
        by_issuer = by_issuer.filter(lead_issuer__name=canonical_body_name(issuer_name))
    else:
        by_issuer = by_issuer.filter(lead_issuer=None)
    normalized = normalize_doc_number(parsed.doc_number)
    if normalized:
        if not issuer_name:
            return None  # a number is unique per issuer only
        return by_issuer.filter(doc_number_normalized=normalized).first()
    title = _title_key(parsed.title)
    if not title:
        return None
    candidates = by_issuer.filter(doc_number_normalized="", issued_date=parsed.issued_date)
    return next((n for n in candidates if _title_key(n.title) == title), None)


def _title_key(title: str) -> str:
    return re.sub(r"\s+", "", search.fold(title))


def import_notice(
    *,
    parsed: ParsedNotice,
    categories: list[Category] = (),
    status: str = Notice.Status.DRAFT,
    update: bool = False,
    user=None,
    comment: str = "从文本导入",
    source_file: tuple[str, bytes] | None = None,
) -> ImportResult:
    """Store a parsed notice with its units in one transaction; refuse duplicates unless update.
    ``source_file`` (name, bytes) is the file it was read from, kept with it."""
    problems = import_problems(parsed)
    if problems:
        raise ImportRefused(" ".join(problems))
    existing = find_duplicate(parsed)
    if existing and not update:
        raise DuplicateNotice(existing)
    kept = None  # the source file stored for this import, removed again if it fails
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(comment if not existing else f"{comment}（覆盖更新）")
            notice = existing or Notice()
            _fill_notice(notice, parsed, status=status)
            if source_file:
                replaced = notice.source_file.name
                kept = _keep_source_file(notice, *source_file)
                if replaced:
                    transaction.on_commit(lambda: notice.source_file.storage.delete(replaced))
            notice.save()
            if categories:
                notice.categories.add(*categories)
            _replace_issuers(notice, parsed.issuing_bodies)
            _replace_attachments(notice, parsed.attachments)
            replace_units(notice, parsed.units)
            index_notices([notice.pk])
            # The revision must hold the units, which bulk_create saved without signals.
            reversion.add_to_revision(notice)
    except IntegrityError:
        _forget_source_file(kept)
        # Another import of the same number won the race between our check and our insert.
        existing = find_duplicate(parsed)
        if existing:
            raise DuplicateNotice(existing) from None
        raise
    except BaseException:
        _forget_source_file(kept)  # nothing of a failed import stays, not its file either
        raise
    return ImportResult(notice=notice, created=existing is None)


def _keep_source_file(notice: Notice, name: str, data: bytes) -> str:
    """Store the file a notice was read from (sources/2026/通知.docx) and set it on the notice."""
    field = notice.source_file
    field.name = field.storage.save(field.field.generate_filename(notice, name), ContentFile(data))
    return field.name


def _forget_source_file(name: str | None) -> None:
    if name:
        Notice.source_file.field.storage.delete(name)


def _fill_notice(notice: Notice, parsed: ParsedNotice, *, status: str) -> None:
    notice.title = parsed.title.strip()[:500]
    notice.doc_number = parsed.doc_number[:100]
    notice.lead_issuer = body_named(parsed.issuing_bodies[0]) if parsed.issuing_bodies else None
    notice.addressees = parsed.addressees
    notice.preamble = parsed.preamble
    notice.signatory = parsed.signatory[:200]
    notice.issued_date = parsed.issued_date
    notice.published_date = parsed.published_date
    notice.source = parsed.source[:200]
    notice.index_number = parsed.index_number[:60]
    notice.body_title = parsed.body_title[:500]
    notice.body_intro = parsed.body_intro
    notice.status = status


def canonical_body_name(name: str) -> str:
    """A body's name in simplified script, so 國家發展改革委 and 国家发展改革委 are one body."""
    return to_simplified(name.strip())[:200]


def body_named(name: str) -> IssuingBody:
    """The issuing body of this name (in either script), created on first use."""
    body, _ = IssuingBody.objects.get_or_create(name=canonical_body_name(name))
    return body


def _replace_issuers(notice: Notice, names: list[str]) -> None:
    notice.co_issuer_links.all().delete()
    canonical = list(dict.fromkeys(canonical_body_name(name) for name in names))
    CoIssuer.objects.bulk_create(
        CoIssuer(notice=notice, body=body_named(name), position=position)
        for position, name in enumerate(canonical[1:], start=1)
    )


def _replace_attachments(notice: Notice, titles: list[str]) -> None:
    notice.attachments.filter(file="").delete()
    Attachment.objects.bulk_create(
        Attachment(notice=notice, title=title[:500], position=position)
        for position, title in enumerate(titles, start=1)
    )


def replace_units(notice: Notice, units: list[ParsedUnit]) -> None:
    """Replace a notice's numbered units by a parsed tree: one insert per tree level."""
    notice.sections.all().delete()
    levels: list[list[tuple[Section, ParsedUnit | None]]] = []
    ordered: list[Section] = []

    def walk(nodes, parent, depth):
        for node in nodes:
            section = Section(
                notice=notice,
                kind=node.kind,
                label=node.label[:50],
                number=max(node.number, 0),
                heading=node.heading[:300],
                text=node.text,
                position=len(ordered),
            )
            section.parent_unit = parent
            ordered.append(section)
            while len(levels) <= depth:
                levels.append([])
            levels[depth].append(section)
            walk(node.children, section, depth + 1)

    walk(units, None, 0)
    assign_anchors(ordered)
    for level in levels:
        for section in level:
            section.parent = section.parent_unit
        Section.objects.bulk_create(level)


def assign_anchors(sections: list[Section]) -> None:
    """Give each unit, in document order, a stable anchor: ch-2, s-4, art-12.

    Numbering that restarts under each chapter or attachment would repeat an anchor; the repeat
    takes its parent's anchor as a prefix (ch-2-i-1), and as a last resort its position.
    """
    taken = set()
    for section in sections:
        prefix = Section.ANCHOR_PREFIX.get(section.kind, "u")
        anchor = f"{prefix}-{section.number}"
        parent = getattr(section, "parent_unit", None) or section.parent
        if anchor in taken and parent is not None:
            anchor = f"{parent.anchor}-{anchor}"
        if anchor in taken:
            anchor = f"{anchor}-{section.position}"
        taken.add(anchor)
        section.anchor = anchor


def refresh_anchors(notice: Notice) -> None:
    """Recompute the anchors of a notice's units after an edit in the admin."""
    sections = list(notice.sections.order_by("position", "id"))
    by_id = {section.id: section for section in sections}
    for section in sections:
        section.parent_unit = by_id.get(section.parent_id)
    assign_anchors(sections)
    with transaction.atomic():
        # Clear first so that swapping two anchors does not trip the unique constraint.
        notice.sections.update(anchor="")
        Section.objects.bulk_update(sections, ["anchor"])


def publish(notices, *, user=None) -> int:
    """Publish the given notices, recording a revision of each; returns how many changed."""
    return _set_status(notices, Notice.Status.PUBLISHED, user=user, comment="发布")


def unpublish(notices, *, user=None) -> int:
    """Take the given notices back to draft, recording a revision; returns how many changed."""
    return _set_status(notices, Notice.Status.DRAFT, user=user, comment="撤回为草稿")


def _set_status(notices, status, *, user, comment) -> int:
    ids = list(notices.values_list("pk", flat=True))
    with transaction.atomic(), reversion.create_revision():
        changing = list(
            Notice.objects.select_for_update().filter(pk__in=ids).exclude(status=status)
        )
        now = timezone.now()
        for notice in changing:
            notice.status = status
            notice.updated_at = now
            reversion.add_to_revision(notice)
        Notice.objects.bulk_update(changing, ["status", "updated_at"])
        SearchEntry.objects.filter(notice__in=changing).update(
            is_published=status == Notice.Status.PUBLISHED
        )
        ArchiveGeneration.advance()
        caching.expire_notice_pages(
            Notice.objects.filter(pk__in=[notice.pk for notice in changing])
        )
        reversion.set_user(user)
        reversion.set_comment(comment)
    return len(changing)


def index_notices(notice_ids) -> None:
    """Rebuild the search index of these notices from their current text (see search.py), and
    their references (see citations.py)."""
    notices = list(
        Notice.objects.filter(pk__in=list(notice_ids))
        .select_related("lead_issuer")
        .prefetch_related(
            "sections",
            "attachments",
            Prefetch("co_issuer_links", CoIssuer.objects.select_related("body")),
        )
    )
    sections = []
    for notice in notices:
        fill_search_fields(notice)
        sections.extend(notice.sections.all())
    with transaction.atomic():
        Notice.objects.bulk_update(
            notices,
            ["search_title", "search_headings", "search_body", "search_text"],
            batch_size=500,
        )
        Section.objects.bulk_update(sections, ["search_text"], batch_size=1000)
        update_search_vectors(Notice.objects.filter(pk__in=[n.pk for n in notices]))
        citations.link_notices(notices)


def fill_search_fields(notice: Notice) -> None:
    """Compute the search fields of a notice and its prefetched units, without saving."""
    names = [body.name for body in notice.issuing_bodies()]
    units = list(notice.sections.all())
    notice.search_title = search.token_text(
        notice.title, notice.body_title, notice.doc_number, notice.doc_number_normalized, *names
    )
    notice.search_headings = search.token_text(*(unit.heading for unit in units))
    notice.search_body = search.token_text(
        notice.addressees, notice.preamble, notice.body_intro, *(unit.text for unit in units)
    )
    notice.search_text = search.fold(
        "\n".join(
            [
                notice.title,
                notice.body_title,
                notice.doc_number,
                *names,
                notice.addressees,
                notice.preamble,
                notice.body_intro,
            ]
        )
    )
    for unit in units:
        unit.search_text = search.fold(f"{unit.label}{unit.heading}\n{unit.text}")


def update_search_vectors(notices) -> None:
    """Write the search index rows of these notices from their stored words: on PostgreSQL the
    search entry (weighted tsvector: A title, B headings, C text; publication status),
    on SQLite the FTS5 row. Every content write passes here: cached summaries expire, and
    so do the kept pages of these notices and of those that show them (as they show them
    now: ``citations.link_notices`` expires those that will)."""
    ArchiveGeneration.advance()
    caching.expire_notice_pages(notices)
    ids = list(notices.values_list("pk", flat=True))
    if not ids:
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            _delete_fts_rows(cursor, ids)
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, headings, body)"
                " SELECT id, search_title, search_headings, search_body FROM documents_notice"
                f" WHERE id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
        return
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO documents_searchentry (notice_id, is_published, vector)
            SELECT id, status = %s,
                   setweight(to_tsvector('simple', search_title), 'A')
                   || setweight(to_tsvector('simple', search_headings), 'B')
                   || setweight(to_tsvector('simple', search_body), 'C')
            FROM documents_notice WHERE id = ANY(%s)
            ON CONFLICT (notice_id) DO UPDATE SET is_published = EXCLUDED.is_published,
                vector = EXCLUDED.vector
            """,
            [Notice.Status.PUBLISHED, ids],
        )


def _delete_fts_rows(cursor, ids) -> None:
    if ids:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)


def notice_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver: a deleted notice leaves SQLite's FTS5 table too (PostgreSQL's search
    entry goes with the notice by its foreign key)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            _delete_fts_rows(cursor, [instance.pk])


def archive_changed(**kwargs) -> None:
    """Signal receiver for deletions, which bypass the write paths above, for edits of
    categories and issuing bodies, whose names every page shows, and for a notice's
    categories changed (m2m_changed: after the change, not before it too)."""
    if not kwargs.get("action", "post_").startswith("pre_"):
        ArchiveGeneration.advance()
