"""Small helpers that build archive rows for tests."""

import datetime
import itertools

from documents.models import Category, IssuingBody, Notice, NoticeViews, Section
from documents.services import assign_anchors, index_notices

_serial = itertools.count(1)


def category(slug="regional-economy"):
    """One of the 15 menu categories created by the data migration."""
    return Category.objects.get(slug=slug)


def body(name="国家发展改革委", **fields):
    obj, _ = IssuingBody.objects.get_or_create(name=name, defaults=fields)
    return obj


def notice(*, categories=(), sections=0, published=True, units=(), view_count=0, **fields):
    """A notice with defaults that differ per call, ``sections`` numbered units (1)…, then
    ``units`` given as (heading, text) pairs, read ``view_count`` times; indexed for search like
    every saved notice."""
    n = next(_serial)
    fields.setdefault("title", f"关于测试政策第{n}号的通知")
    fields.setdefault("doc_number", f"测发〔2020〕{n}号")
    fields.setdefault("lead_issuer", body())
    fields.setdefault("issued_date", datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    fields.setdefault("preamble", "现将有关事项通知如下。")
    fields["status"] = Notice.Status.PUBLISHED if published else Notice.Status.DRAFT
    obj = Notice.objects.create(**fields)
    if view_count:
        NoticeViews.objects.create(notice=obj, count=view_count)
    if categories:
        obj.categories.add(*categories)
    extra_units = units
    units = [
        Section(
            notice=obj,
            kind=Section.Kind.SECTION,
            label=f"({i})",
            number=i,
            heading=f"第{i}项要求",
            text=f"第{i}项的正文。\n第二段。",
            position=i,
        )
        for i in range(1, sections + 1)
    ]
    units += [
        Section(
            notice=obj,
            kind=Section.Kind.SECTION,
            label=f"({i})",
            number=i,
            heading=heading,
            text=text,
            position=sections + i,
        )
        for i, (heading, text) in enumerate(extra_units, start=1)
    ]
    assign_anchors(units)
    Section.objects.bulk_create(units)
    index_notices([obj.pk])
    return obj


def database_url():
    """A DATABASE_URL for the test database, for a server or script in another process."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def view_count(notice) -> int:
    """A notice's view count as the database holds it now."""
    return Notice.objects.with_view_counts().values_list("view_count", flat=True).get(pk=notice.pk)
