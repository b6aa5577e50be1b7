import hashlib
from collections import Counter

import reversion
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from .. import ranking
from .. import search as text_search
from ..parsing.docnumber import parse_doc_number
from ..parsing.references import title_key
from ..parsing.script import to_simplified

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
    def with_notice_counts(self, counts: dict[int, int]):
        """Annotate each category with its number of published notices (the menu's counts),
        from ``notice_counts()`` (cached: ``caching.notice_counts``)."""
        return self.annotate(notice_count=counts_by_pk(counts)).order_by("menu_order", "name")

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
    def with_notice_counts(self, counts: dict[int, int]):
        """Annotate each body with its published notices, led or joint: what ``?issuer=`` and
        the issuer page list, from ``notice_counts()`` (cached: ``caching.notice_counts``)."""
        return self.annotate(notice_count=counts_by_pk(counts))

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


class NoticeQuerySet(models.QuerySet):
    def published(self):
        """Only what readers may see: drafts never reach a public page."""
        return self.filter(status=Notice.Status.PUBLISHED)

    def in_category(self, category):
        return self.filter(categories=category)

    def issued_by(self, body):
        """Published notices that a body issued, alone or jointly: among the ids of those it led
        and the ids it joined, a semi-join PostgreSQL estimates from both indexes. (As ``lead =
        X OR id IN (joint)`` it estimated 12,400 rows for 320 at 20,000 notices and read the
        whole notice table; as ``id = ANY(ARRAY(...))`` it planned for 10 ids and, with a
        search, tested the search vector of each of a body's 3,000 notices: 50-1,065 ms against
        9-15 ms.) The led ids come from the partial index of published notices by lead issuer
        alone; without the status there, the busiest body's ids at 100,000 notices were read
        from 6,852 pages of the notice table."""
        led = Notice.objects.published().filter(lead_issuer=body).values("id").order_by()
        joint = CoIssuer.objects.filter(body=body).values("notice_id").order_by()
        return self.published().filter(pk__in=led.union(joint, all=True))

    def newest_first(self):
        return self.order_by(F("issued_date").desc(nulls_last=True), "-id")

    def search(self, query: text_search.SearchQuery):
        """Notices that match a parsed query, every match ranked, best first (annotated with
        ``distance``: the least is the best); see ``documents.ranking``."""
        return ranking.search(self, query)

    # Long text a list row never shows: left in the database (and in TOAST, unread).
    LIST_DEFERRED = (
        "addressees",
        "search_title",
        "search_headings",
        "search_body",
        "search_text",
    )

    def with_view_counts(self):
        """Annotate each notice with ``view_count``, its readings (0 for none): kept in
        NoticeViews, not in the notice row."""
        return self.annotate(view_count=Coalesce("views__count", 0))

    def with_list_data(self):
        """What a list page's row shows: the lead issuer, without a query per row, and without
        the long text columns."""
        return self.select_related("lead_issuer").defer(*self.LIST_DEFERRED)

    def with_categories_and_issuers(self):
        """The categories and joint issuers too, one query each, for the listings that show
        them (feeds, the CSV export, the API); a list page's rows show neither, and reading
        them cost each list page a statement."""
        return self.with_list_data().prefetch_related(
            "categories",
            Prefetch("co_issuer_links", queryset=CoIssuer.objects.select_related("body")),
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
    # The title folded, for finding the notice a quoted title (《…》) in another notice names.
    title_key = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
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
    # The file the notice was imported from (Word, PDF, web page, text), as received.
    source_file = models.FileField("原始文件", upload_to="sources/%Y/", blank=True)
    validity = models.CharField(
        "时效性", max_length=10, choices=Validity.choices, default=Validity.CURRENT
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
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
        # Every write path (admin, import, shell) must keep the folded keys in step.
        self.fold_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("documents:notice-detail", kwargs={"pk": self.pk})

    def fold_keys(self):
        """Derive the matching keys: the normalized doc number and its parts from the number
        as written, and the folded title."""
        self.title_key = title_key(self.title)[:500]
        parts = parse_doc_number(self.doc_number.strip())
        self.doc_number = self.doc_number.strip()
        self.doc_number_normalized = parts.normalized[:100]
        self.doc_code = parts.code[:60]
        self.doc_year = parts.year
        self.doc_serial = parts.serial

    def clean(self):
        # The constraint is the invariant; this gives the admin form a readable message first.
        self.fold_keys()
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

    # Scraped pages print 来源：未知 when they do not know: no source to show.
    UNKNOWN_SOURCES = frozenset({"未知", "不详", "无", "暂无", "unknown"})

    @property
    def known_source(self) -> str:
        """The source (来源), unless the page it came from said it did not know it."""
        source = (self.source or "").strip()
        return "" if to_simplified(source).lower() in self.UNKNOWN_SOURCES else source

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


class SearchEntry(models.Model):
    """A notice's row in the PostgreSQL search index: its weighted tsvector (A title, doc
    number, issuers; B unit headings; C text), in a RUM index of the published rows, beside
    its publication status. The table is narrow on purpose: a common word such as 发展 matches
    nearly every notice, and counting them visits each match's row, a few hundred pages here
    where the wide notice rows would take thousands. Kept in step by services.index_notices
    and the status changes."""

    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    is_published = models.BooleanField(default=False)
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
    # Indexed with the notice (below), not alone: a body's notices from the index alone.
    body = models.ForeignKey(
        IssuingBody, verbose_name="发文机关", on_delete=models.PROTECT, db_index=False
    )
    position = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        ordering = ["position"]
        verbose_name = "联合发文机关"
        verbose_name_plural = "联合发文机关"
        constraints = [
            models.UniqueConstraint(fields=["notice", "body"], name="coissuer_unique_per_notice"),
        ]
        indexes = [models.Index(fields=["body", "notice"], name="coissuer_body_notice")]

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
