"""RSS and Atom feeds of the latest published notices: all, per category, per issuing body."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .i18n import show_simplified
from .models import Category, IssuingBody, Notice
from .parsing.docnumber import official_doc_number

FEED_LENGTH = 30
SITE_NAME = "PolicyHub 政策文件库"


class LatestNoticesFeed(Feed):
    """The latest published notices of the whole archive, as RSS 2.0."""

    title = f"最新政策文件 · {SITE_NAME}"
    description = "PolicyHub 政策文件库最新发布的政策文件。"
    author_name = SITE_NAME
    # Feeds are in the default script (简体) whatever a reader chose on the pages: a feed URL is
    # shared by many subscribers, so it must not change with one reader's cookie; and one item
    # is in one script (a traditional title beside a simplified issuer read as two languages).
    language = settings.LANGUAGE_CODE
    description_template = "feeds/notice_description.html"
    feed_url_name = "documents:feed-rss"

    def link(self, obj=None):
        return reverse("documents:notice-list")

    def feed_url(self, obj=None):
        return reverse(self.feed_url_name)

    def notices(self, obj):
        """The published notices this feed draws from; subclasses narrow it to their object."""
        return Notice.objects.published()

    def items(self, obj=None):
        # Newest by the date the feed reports (发布日期, else 成文日期), so that an old notice
        # published today still reaches subscribers. One query for the notices, one each for
        # categories and joint issuers, whatever the number of items.
        return (
            self.notices(obj)
            .with_categories_and_issuers()
            .order_by(
                Coalesce("published_date", "issued_date").desc(nulls_last=True),
                F("issued_date").desc(nulls_last=True),
                "-id",
            )[:FEED_LENGTH]
        )

    def item_title(self, item):
        return show_simplified(item.title)

    def item_pubdate(self, item):
        day = item.published_date or item.issued_date
        if day is None:
            return item.created_at
        return datetime.datetime.combine(day, datetime.time(), timezone.get_current_timezone())

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return "、".join(body.name for body in item.issuing_bodies()) or None

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notice = context["obj"]
        context["issuing_bodies"] = [show_simplified(b.name) for b in notice.issuing_bodies()]
        context["doc_number"] = show_simplified(official_doc_number(notice.doc_number))
        context["excerpt"] = show_simplified(notice.preamble or notice.body_intro)
        return context


class LatestNoticesAtomFeed(LatestNoticesFeed):
    """The same notices as Atom 1.0."""

    feed_type = Atom1Feed
    subtitle = LatestNoticesFeed.description
    feed_url_name = "documents:feed-atom"


class CategoryNoticesFeed(LatestNoticesFeed):
    """The latest published notices filed under one category."""

    feed_url_name = "documents:category-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {SITE_NAME}"

    def description(self, obj):
        return obj.description or f"{obj.name}最新发布的政策文件。"

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse(self.feed_url_name, kwargs={"slug": obj.slug})

    def notices(self, obj):
        return super().notices(obj).in_category(obj)


class CategoryNoticesAtomFeed(CategoryNoticesFeed):
    feed_type = Atom1Feed
    feed_url_name = "documents:category-feed-atom"

    def subtitle(self, obj):
        return self.description(obj)


class IssuerNoticesFeed(LatestNoticesFeed):
    """The latest published notices an issuing body issued, alone or jointly."""

    feed_url_name = "documents:issuer-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(IssuingBody, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {SITE_NAME}"

    def description(self, obj):
        return f"{obj.name}单独或联合发布的最新政策文件。"

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse(self.feed_url_name, kwargs={"slug": obj.slug})

    def notices(self, obj):
        return super().notices(obj).issued_by(obj)


class IssuerNoticesAtomFeed(IssuerNoticesFeed):
    feed_type = Atom1Feed
    feed_url_name = "documents:issuer-feed-atom"

    def subtitle(self, obj):
        return self.description(obj)
