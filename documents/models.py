import hashlib
from collections import Counter

import reversion
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from . import search as text_search
from .parsing.docnumber import parse_doc_number

MAX_BIGINT = 2**63 - 1


def counts_by_pk(counts: dict[int, int]):
    """An annotation giving each row its count from ``counts`` (0 if absent): the archive has a
    few dozen categories and bodies, and grouped counts computed apart are much faster than a
    count joined to every row."""
    return Case(
        *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
        default=Value(0),
        output_field=models.IntegerField(),
    )


class CategoryQuerySet(models.QuerySet):
    def with_notice_counts(self):
        """Annotate each category with its number of published notices (the menu's counts).
        The counts are read when this is called: call it per request."""
        return self.annotate(notice_count=counts_by_pk(self.notice_counts())).order_by(
            "menu_order", "name"
        )

    @staticmethod
    def notice_counts() -> dict[int, int]:
        """{category id: published notices}: one grouped count of the category links whose
        notice is published (an index-only look-up of the published ids). A join to the notice
        table read every notice row: 125 ms at 100,000 notices, this 33 ms."""
        links = Notice.categories.through.objects.filter(
            notice_id__in=Notice.objects.published().values("id")
        )
        return dict(links.values_list("category").annotate(n=Count("id")).order_by())


class Category(models.Model):
    """A menu entry (政策分类) such as 区域经济政策."""

    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("网址名", max_length=100, unique=True)
    menu_order = models.PositiveSmallIntegerField("菜单顺序", default=0)
    description = models.TextField("说明", blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["menu_order", "name"]
        verbose_name = "政策分类"
        verbose_name_plural = "政策分类"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("documents:category-detail", kwargs={"slug": self.slug})


class IssuingBodyQuerySet(models.QuerySet):
    def with_notice_counts(self):
        """Annotate each body with its published notices, led or joint: what ``?issuer=`` and
        the issuer page list (see ``notice_counts``). The counts are read when this is called:
        call it per request."""
        return self.annotate(notice_count=counts_by_pk(self.notice_counts()))

    @staticmethod
    def notice_counts() -> dict[int, int]:
        """{body id: published notices it led or joined}: two grouped counts, the led ones and
        the joint ones under another lead, so that no notice counts twice for a body. A
        subquery per body ("led OR joined") took 6 s at 100,000 notices; these take 50 ms."""
        led = (
            Notice.objects.published()
            .filter(lead_issuer__isnull=False)
            .values_list("lead_issuer")
            .annotate(n=Count("id"))
            .order_by()
        )
        joined = (
            CoIssuer.objects.filter(notice__status=Notice.Status.PUBLISHED)
            .exclude(notice__lead_issuer=F("body"))
            .values_list("body")
            .annotate(n=Count("notice", distinct=True))
            .order_by()
        )
        counts = Counter(dict(led))
        counts.update(dict(joined))
        return dict(counts)


class IssuingBody(models.Model):
    """An issuing body (发文机关) such as 国家发展改革委."""

    name = models.CharField("名称", max_length=200, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    slug = models.SlugField("网址名", max_length=100, unique=True, blank=True)

    objects = IssuingBodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.default_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("documents:issuer-detail", kwargs={"slug": self.slug})

    @staticmethod
    def default_slug(name: str) -> str:
        """An ASCII slug: the name's Latin part, or a short stable hash of a Chinese name."""
        return slugify(name) or "body-" + hashlib.sha1(name.encode()).hexdigest()[:10]


class ApproximateCount(int):
    """A number of matches read from the planner's statistics rather than counted: 约 N."""

    is_approximate = True


class NoticeQuerySet(models.QuerySet):
    def published(self):
        """Only what readers may see: drafts never reach a public page."""
        return self.filter(status=Notice.Status.PUBLISHED)

    def in_category(self, category):
        return self.filter(categories=category)

    def issued_by(self, body):
        """Notices that a body issued, alone or jointly."""
        joint = CoIssuer.objects.filter(body=body).values("notice_id")
        return self.filter(Q(lead_issuer=body) | Q(id__in=joint))

    def newest_first(self):
        return self.order_by(F("issued_date").desc(nulls_last=True), "-id")

    # On PostgreSQL a query that matches more notices than this is ranked among its most
    # recent matches only. Ranking reads each match's whole tsvector, and a common word (发展,
    # 国务院) matches nearly every notice: ranking them all took ~1 s at 20,000 notices.
    RANKED_CANDIDATES = 200

    def search(self, query: text_search.SearchQuery):
        """Notices that match a parsed query, annotated with ``rank`` and ordered best first."""
        return self.search_with_total(query)[0]

    def search_with_total(self, query: text_search.SearchQuery):
        """(notices matching the query, best first with ``rank``; how many match in all).

        Every word must match (AND), quoted phrases must appear as written, excluded words must
        not appear; a document number typed as the query puts its notice first. PostgreSQL
        ranks by the weighted tsvector of SearchEntry; SQLite counts stored-word matches. The
        total is None when the returned queryset holds every match (count it if needed).
        """
        if not (query or query.excluded):
            return self, None
        if connections[self.db].vendor == "postgresql" and (query.words or query.excluded):
            ranks, total = self._ranked_on_postgresql(query)  # excluded words included
            matches = self.filter(pk__in=list(ranks))
        else:
            ranks, total = None, None
            matches = self._match_words(query.words)
            for word in query.excluded:
                matches = matches.exclude(self._word_condition(word))
        for phrase in query.phrases:
            in_units = Section.objects.filter(search_text__contains=phrase).values("notice_id")
            matches = matches.filter(Q(search_text__contains=phrase) | Q(id__in=in_units))
        numbered = []
        if query.doc_number:
            by_number = Q(doc_number_normalized=query.doc_number)
            if query.doc_serial is not None:
                by_number |= Q(doc_serial=query.doc_serial)
            numbered = list(self.filter(by_number).values_list("id", flat=True)[:100])
            matches = self.filter(Q(id__in=numbered) | Q(id__in=matches.values("id")))
        if ranks is not None:
            rank = self._rank_from(ranks, numbered)
        else:
            rank = self._rank_expression(query.words)
            if numbered:
                rank = Case(When(id__in=numbered, then=Value(1000.0)), default=Value(0.0)) + rank
        ordered = matches.annotate(rank=rank).order_by(
            "-rank", F("issued_date").desc(nulls_last=True), "-id"
        )
        if total is not None and (query.phrases or numbered):
            total = None  # phrases narrow, numbers add: the ranked list is the whole answer
        return ordered, total

    def _ranked_on_postgresql(self, query):
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
        filtered = self.query.where != Notice.objects.published().query.where
        if filtered:
            # Other filters (category, issuer, year …) narrow the candidates first.
            inner, inner_params = (
                self.order_by().values("pk").query.get_compiler(using=self.db).as_sql()
            )
            where += f" AND e.notice_id IN ({inner})"
            where_params += list(inner_params)
        with connections[self.db].cursor() as cursor:
            if not filtered:
                # Only the words themselves: the planner's estimate of a filter's share (an
                # issuer's "led OR joined") can be off a hundredfold, and a walk misled by it
                # would read the whole index. A filtered search takes the exact bitmap.
                published, matches = self._estimate_matches(cursor, where, where_params)
                if matches * matches > self.WALK_BREAK_EVEN * published:
                    return self._newest_matches_by_date(
                        cursor, tsquery, params, where, where_params, matches
                    )
            return self._newest_matches_by_bitmap(cursor, tsquery, params, where, where_params)

    # Two ways to find the newest candidates. The GIN bitmap reads every match (about 0.3 µs
    # each: 30 ms for 97,000 matches); walking the date index tests each notice's tsvector in
    # turn (about 25 µs each) and stops at the 200th match, so it reads 200 ÷ s notices for a
    # word in a share s of them. Walking wins when s² × N > 16,000: at 100,000 notices for a
    # word in 40 % of them (发展, 国务院); at 10,000 never.
    WALK_BREAK_EVEN = 16_000

    @staticmethod
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

    def _newest_matches_by_bitmap(self, cursor, tsquery, params, where, where_params):
        """The exact count and the newest candidates from the GIN bitmap, in one statement.

        Plain index scans and sequential scans are off for this statement only: the planner
        would otherwise walk an index and unpack every tsvector. SET LOCAL in the same query
        string lasts until its implicit transaction ends (inside an atomic block, until that
        block ends)."""
        cursor.execute(
            f"""
            SET LOCAL enable_seqscan = off;
            SET LOCAL enable_indexscan = off;
            SELECT t.total, c.notice_id, ts_rank(v.vector, {tsquery})
            FROM (SELECT count(*) AS total FROM documents_searchentry e WHERE {where}) t
            LEFT JOIN (
                SELECT e.notice_id FROM documents_searchentry e WHERE {where}
                ORDER BY e.issued_date DESC NULLS LAST, e.notice_id DESC LIMIT %s
            ) c ON true
            LEFT JOIN documents_searchentry v ON v.notice_id = c.notice_id
            """,
            params + where_params + where_params + [self.RANKED_CANDIDATES],
        )
        rows = cursor.fetchall()
        ranks = {notice_id: rank for _, notice_id, rank in rows if notice_id is not None}
        return ranks, rows[0][0]

    def _newest_matches_by_date(self, cursor, tsquery, params, where, where_params, matches):
        """For a word most notices hold: walk the newest-first index, testing each notice,
        until the candidates are found; the total is the planner's estimate (shown as 约)."""
        cursor.execute(
            f"""
            SET LOCAL enable_seqscan = off;
            SET LOCAL enable_bitmapscan = off;
            SELECT e.notice_id, ts_rank(e.vector, {tsquery}) FROM documents_searchentry e
            WHERE {where} ORDER BY e.issued_date DESC NULLS LAST, e.notice_id DESC LIMIT %s
            """,
            params + where_params + [self.RANKED_CANDIDATES],
        )
        ranks = dict(cursor.fetchall())
        if len(ranks) < self.RANKED_CANDIDATES:
            return ranks, len(ranks)  # the walk reached the end: it found every match
        return ranks, ApproximateCount(max(round(matches), len(ranks)))

    @staticmethod
    def _rank_from(ranks, numbered):
        """The rank annotation for candidates ranked in SQL, a matching doc number first: minus
        the notice's place in that order (one array parameter, not a CASE per candidate)."""
        order = list(dict.fromkeys([*numbered, *sorted(ranks, key=ranks.get, reverse=True)]))
        place = Func(
            Value(order, output_field=ArrayField(models.BigIntegerField())),
            F("id"),
            function="array_position",
            output_field=FloatField(),
        )
        return Value(0.0, output_field=FloatField()) - place

    def _match_words(self, words):
        matches = self
        for word in words:
            matches = matches.filter(self._word_condition(word))
        return matches

    @staticmethod
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

    @staticmethod
    def _word_condition(word):
        padded = f" {word} "
        return (
            Q(search_title__contains=padded)
            | Q(search_headings__contains=padded)
            | Q(search_body__contains=padded)
        )

    # Long text a list row never shows: left in the database (and in TOAST, unread).
    LIST_DEFERRED = (
        "addressees",
        "search_title",
        "search_headings",
        "search_body",
        "search_text",
    )

    def with_list_data(self):
        """What a list row shows: the lead issuer and the categories, without a query per row,
        and without the long text columns."""
        return (
            self.select_related("lead_issuer")
            .prefetch_related("categories")
            .defer(*self.LIST_DEFERRED)
        )

    def related_to(self, notice, categories):
        """Published notices sharing a category with this one (a semi-join, not a DISTINCT
        over whole rows)."""
        sharing = Notice.categories.through.objects.filter(category__in=categories)
        return (
            self.published()
            .filter(pk__in=sharing.values("notice_id"))
            .exclude(pk=notice.pk)
            .select_related("lead_issuer")
            .defer(*self.LIST_DEFERRED)
            .newest_first()
        )


@reversion.register(follow=["sections", "attachments", "co_issuer_links"])
class Notice(models.Model):
    """One document: a notice (通知), opinion, regulation … with its numbered units."""

    class Validity(models.TextChoices):
        # 时效性. Labels marked for the catalog but stored plain: the API and the CSV export give
        # them as written; pages translate them ({% translate notice.get_validity_display %}).
        CURRENT = "current", gettext_noop("现行有效")
        AMENDED = "amended", gettext_noop("已修改")
        REPEALED = "repealed", gettext_noop("已废止")
        NOT_YET_EFFECTIVE = "pending", gettext_noop("尚未生效")

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("标题", max_length=500)
    # 发文字号, as written (發改地區[2016]1771號) …
    doc_number = models.CharField("发文字号", max_length=100, blank=True)
    # … and folded for matching and uniqueness (发改地区[2016]1771号), with its parts.
    doc_number_normalized = models.CharField(
        "规范发文字号", max_length=100, blank=True, editable=False, db_index=True
    )
    doc_code = models.CharField("机关代字", max_length=60, blank=True, editable=False)
    doc_year = models.PositiveSmallIntegerField("年份号", null=True, blank=True, editable=False)
    doc_serial = models.PositiveIntegerField(
        "序号", null=True, blank=True, editable=False, db_index=True
    )

    # 发文机关: the lead body here, joint issuers (联合发文) in order in CoIssuer.
    lead_issuer = models.ForeignKey(
        IssuingBody,
        verbose_name="发文机关",
        on_delete=models.PROTECT,
        related_name="led_notices",
        null=True,
        blank=True,
    )
    co_issuers = models.ManyToManyField(
        IssuingBody,
        verbose_name="联合发文机关",
        through="CoIssuer",
        related_name="co_issued_notices",
        blank=True,
    )
    categories = models.ManyToManyField(
        Category, verbose_name="分类", related_name="notices", blank=True
    )
    addressees = models.TextField("主送机关", blank=True)
    preamble = models.TextField("通知正文", blank=True)
    signatory = models.CharField("落款", max_length=200, blank=True)
    issued_date = models.DateField("成文日期", null=True, blank=True)
    published_date = models.DateField("发布日期", null=True, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    index_number = models.CharField("索引号", max_length=60, blank=True)
    # The attached or printed-and-issued document (印发的意见、办法 …): its title and introduction.
    body_title = models.CharField("附件文件标题", max_length=500, blank=True)
    body_intro = models.TextField("附件文件引言", blank=True)
    validity = models.CharField(
        "时效性", max_length=10, choices=Validity.choices, default=Validity.CURRENT
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    view_count = models.PositiveIntegerField("点击", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    # The search index, rebuilt by services.index_notices (see documents/search.py): words in
    # simplified script, space-separated, by weight — title, doc number and issuers; unit
    # headings; the rest of the text. search_text is the folded text of the notice's own
    # fields, for phrases. On PostgreSQL their tsvector lives in SearchEntry.
    search_title = models.TextField(blank=True, editable=False)
    search_headings = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = [F("issued_date").desc(nulls_last=True), "-id"]
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        permissions = [("publish_notice", "可以发布、撤回政策文件")]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_issuer", "doc_number_normalized"],
                condition=~Q(doc_number_normalized=""),
                name="notice_unique_docno_per_issuer",
                violation_error_message="该发文机关已有相同发文字号的文件。",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "issued_date"], name="notice_status_issued"),
            # PostgreSQL also has notice_published_newest (migration 0008) for the default
            # list order; SQLite cannot index NULLS LAST.
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Every write path (admin, import, shell) must keep the folded number in step.
        self.fold_doc_number()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("documents:notice-detail", kwargs={"pk": self.pk})

    def fold_doc_number(self):
        """Derive the normalized doc number and its parts from the number as written."""
        parts = parse_doc_number(self.doc_number.strip())
        self.doc_number = self.doc_number.strip()
        self.doc_number_normalized = parts.normalized[:100]
        self.doc_code = parts.code[:60]
        self.doc_year = parts.year
        self.doc_serial = parts.serial

    def clean(self):
        # The constraint is the invariant; this gives the admin form a readable message first.
        self.fold_doc_number()
        if self.doc_number_normalized and self.lead_issuer_id:
            clash = (
                Notice.objects.filter(
                    lead_issuer_id=self.lead_issuer_id,
                    doc_number_normalized=self.doc_number_normalized,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                raise ValidationError(
                    {"doc_number": f"{self.lead_issuer}已有发文字号相同的文件：《{clash.title}》。"}
                )

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def issuing_bodies(self):
        """All issuing bodies, lead first (uses prefetched co_issuer_links when present)."""
        links = sorted(self.co_issuer_links.all(), key=lambda link: link.position)
        bodies = [self.lead_issuer] if self.lead_issuer else []
        return bodies + [link.body for link in links if link.body_id != self.lead_issuer_id]

    def unit_tree(self):
        """The numbered units as a tree: top-level units, each with ``child_units`` filled in."""
        units = list(self.sections.all())
        by_parent = {}
        for unit in units:
            by_parent.setdefault(unit.parent_id, []).append(unit)
        for unit in units:
            unit.child_units = by_parent.get(unit.id, [])
        return by_parent.get(None, [])

    @staticmethod
    def record_view(pk) -> int | None:
        """Count one reading of a published notice, atomically in the database so concurrent
        views are never lost; the new count, or None if no published notice has this id."""
        return Notice.record_reading(pk)[0]

    @staticmethod
    def record_reading(pk) -> tuple[int | None, int]:
        """Count a reading (as ``record_view``) and read the archive generation: (the new view
        count or None, the generation), in one round trip on PostgreSQL, since every reading
        of a notice needs both.

        On PostgreSQL the count is committed without waiting for the write-ahead log to reach
        the disk (synchronous_commit off, until the statement's transaction ends: the statement
        itself in autocommit, the enclosing block inside ``atomic``): a crash of the database
        server could lose the last fraction of a second of view counts, never anything else,
        and no reader waits for a disk flush to read a notice.

        With a read replica the generation is read from the replica, where the page's content
        is read: a generation from the primary, ahead of a lagging replica, would file the
        replica's old content under the new generation, cached until the next change."""
        update = (
            "UPDATE documents_notice SET view_count = view_count + 1"
            " WHERE id = %s AND status = %s RETURNING view_count"
        )
        if not 0 < pk <= MAX_BIGINT:  # /notices/99999999999999999999/: no such id, anywhere
            return None, ArchiveGeneration.current()
        params = [pk, Notice.Status.PUBLISHED]
        one_database = Notice.objects.db == DEFAULT_DB_ALIAS  # no replica, or pinned to primary
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and one_database:
                cursor.execute(
                    "SET LOCAL synchronous_commit = off;"
                    f" WITH counted AS ({update}) SELECT (SELECT view_count FROM counted),"
                    " (SELECT number FROM documents_archivegeneration WHERE id = 1)",
                    params,
                )
                count, generation = cursor.fetchone()
                return count, generation or 0
            cursor.execute(update, params)
            row = cursor.fetchone()
        return (row[0] if row else None), ArchiveGeneration.current()


class ArchiveGeneration(models.Model):
    """A counter that every write to the archive increments (one row).

    Cached summaries (the category menu with its counts, the home page's figures) are keyed
    by it, so a publish, an import or a deletion in any server process makes every process
    compute them afresh: correct invalidation with no shared cache required.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "缓存代数"
        verbose_name_plural = "缓存代数"

    def __str__(self):
        return f"第 {self.number} 代"

    @classmethod
    def current(cls) -> int:
        # Read on every page: plain SQL, as the queryset's compilation cost five times the query.
        database = connections[cls.objects.db]
        table = database.ops.quote_name(cls._meta.db_table)
        with database.cursor() as cursor:
            cursor.execute(f"SELECT number FROM {table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def of_request(cls, request) -> int:
        """The current number, read once per request however many cached parts ask for it."""
        if not hasattr(request, "_archive_generation"):
            request._archive_generation = cls.current()
        return request._archive_generation

    @classmethod
    def advance(cls) -> None:
        """Mark every cached summary out of date."""
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})


class SearchEntry(models.Model):
    """A notice's row in the PostgreSQL search index: its weighted tsvector (A title, doc
    number, issuers; B unit headings; C text) beside the two columns a search filters and
    orders by. The table is narrow on purpose: a common word such as 发展 matches nearly every
    notice, and a bitmap scan of these rows reads a few hundred pages where the wide notice
    rows would take thousands. Kept in step by services.index_notices and the status changes.
    """

    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    is_published = models.BooleanField(default=False)
    issued_date = models.DateField(null=True)
    vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self):
        return f"检索索引 {self.notice_id}"


@reversion.register()
class CoIssuer(models.Model):
    """A joint issuer of a notice, in the order the document lists them."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="co_issuer_links")
    body = models.ForeignKey(IssuingBody, verbose_name="发文机关", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        ordering = ["position"]
        verbose_name = "联合发文机关"
        verbose_name_plural = "联合发文机关"
        constraints = [
            models.UniqueConstraint(fields=["notice", "body"], name="coissuer_unique_per_notice"),
        ]

    def __str__(self):
        return str(self.body)


@reversion.register()
class Attachment(models.Model):
    """An attachment (附件) listed by a notice, with an optional file."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField("附件标题", max_length=500)
    file = models.FileField("文件", upload_to="attachments/%Y/", blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.title


@reversion.register()
class Section(models.Model):
    """A numbered unit of a notice: 编, 章 (一、), 节 ((一)), 条, or an item (1. ①)."""

    class Kind(models.TextChoices):
        PART = "part", "编"
        CHAPTER = "chapter", "章"
        SECTION = "section", "节"
        ARTICLE = "article", "条"
        ITEM = "item", "项"

    ANCHOR_PREFIX = {"part": "pt", "chapter": "ch", "section": "s", "article": "art", "item": "i"}

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        on_delete=models.CASCADE,
        related_name="children",
        null=True,
        blank=True,
    )
    kind = models.CharField("层级", max_length=10, choices=Kind.choices, default=Kind.SECTION)
    label = models.CharField("编号", max_length=50, help_text="按原文，如 一、 （一） 第一条")
    number = models.PositiveIntegerField("序数", default=1)
    heading = models.CharField("标题", max_length=300, blank=True)
    text = models.TextField("正文", blank=True, help_text="每段一行。")
    position = models.PositiveIntegerField("顺序", default=0)
    anchor = models.CharField("锚点", max_length=80, blank=True, editable=False)
    # Label, heading and text folded to simplified script: for phrases and for the snippet.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "条目"
        verbose_name_plural = "条目"
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "anchor"],
                condition=~Q(anchor=""),
                name="section_unique_anchor_per_notice",
            ),
        ]

    def __str__(self):
        return f"{self.label}{self.heading}"

    def get_absolute_url(self):
        return f"{self.notice.get_absolute_url()}#{self.anchor}"
