from django.core.cache import cache
from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import DetailView
from django_filters.views import FilterView

from . import i18n, search
from .conditional import archive_condition
from .filters import MAX_QUERY_LENGTH, NoticeFilter
from .models import ArchiveGeneration, Category, CoIssuer, IssuingBody, Notice, Section
from .pagination import ArchivePaginator

LATEST_ON_HOME = 10
RELATED_COUNT = 6


@archive_condition
def home(request):
    return render(request, "documents/home.html", home_summary(request))


def home_summary(request):
    """Latest notices, the count and the busiest issuing bodies, cached until the archive
    changes: counting 100,000 notices per body is not work to repeat on every visit."""

    def compute():
        published = Notice.objects.published()
        return {
            "latest": list(published.with_list_data().newest_first()[:LATEST_ON_HOME]),
            "notice_count": published.count(),
            "top_issuers": list(
                IssuingBody.objects.with_notice_counts()
                .filter(notice_count__gt=0)
                .order_by("-notice_count", "name")[:10]
            ),
        }

    return cache.get_or_set(f"home:{ArchiveGeneration.of_request(request)}", compute, 3600)


@method_decorator(archive_condition, name="dispatch")
class NoticeListView(FilterView):
    """All published notices, narrowed by the filter form; the page's query string is its state."""

    filterset_class = NoticeFilter
    template_name = "documents/notice_list.html"
    context_object_name = "notices"
    paginate_by = 20
    fixed_filters = ()

    def get_queryset(self):
        return Notice.objects.published().with_list_data().newest_first()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return ArchivePaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            request=self.request,
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["fixed"] = self.fixed_filters
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.filterset.search_query
        context["search_query"] = query
        if query:
            attach_search_hits(context["object_list"], query, convert=i18n.in_reader_script)
        return context


def attach_search_hits(notices, query: search.SearchQuery, *, convert=None) -> None:
    """Give each listed notice a highlighted title, its best-matching unit and a snippet of it.

    One query for the whole page: the units of these notices that contain a query term.
    ``convert`` turns stored text into the text shown (the reader's script) before marking it;
    the API leaves it as stored.
    """
    convert = convert or (lambda text: text)
    notices = list(notices)
    terms = query.highlight_terms
    if not notices or not terms:
        return
    contains = Q()
    for term in terms:
        contains |= Q(search_text__contains=term)
    units = Section.objects.filter(Q(notice__in=notices) & contains).only(
        "notice_id", "anchor", "label", "heading", "text", "search_text"
    )
    best = {}
    for unit in units:
        score = search.match_score(unit.search_text, query)
        if score > best.get(unit.notice_id, ((0, 0), None))[0]:
            best[unit.notice_id] = (score, unit)
    for notice in notices:
        notice.title_html = search.highlight(convert(notice.title), terms)
        unit = best.get(notice.pk, (None, None))[1]
        if unit is not None:
            notice.hit_unit = unit
            notice.snippet = search.snippet(convert(unit.text or unit.heading), terms)
        else:
            notice.snippet = search.snippet(convert(notice.preamble or notice.body_intro), terms)


class CategoryDetailView(NoticeListView):
    template_name = "documents/category_detail.html"
    fixed_filters = ("category",)

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().in_category(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class IssuerDetailView(NoticeListView):
    template_name = "documents/issuer_detail.html"
    fixed_filters = ("issuer",)

    def get_queryset(self):
        self.issuer = get_object_or_404(IssuingBody, slug=self.kwargs["slug"])
        return super().get_queryset().issued_by(self.issuer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(issuer=self.issuer, **kwargs)


def counted_view(view):
    """Count a reading even when the reader's cached copy is still good (a 304)."""

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 304:
            Notice.objects.published().filter(pk=kwargs["pk"]).update(
                view_count=F("view_count") + 1
            )
        return response

    return wrapper


@method_decorator([counted_view, archive_condition], name="dispatch")
class NoticeDetailView(DetailView):
    template_name = "documents/notice_detail.html"
    context_object_name = "notice"
    # The rendered text with its table of contents, per notice and language, until the archive
    # changes: a 60-unit notice is most of the page's rendering time, and the same every time.
    DOCUMENT_TIMEOUT = 24 * 3600

    def get_queryset(self):
        return (
            Notice.objects.published()
            .select_related("lead_issuer")
            .defer("search_title", "search_headings", "search_body", "search_text")
            .prefetch_related(
                "categories",
                "attachments",
                Prefetch("co_issuer_links", queryset=CoIssuer.objects.select_related("body")),
            )
        )

    def get_object(self, queryset=None):
        notice = super().get_object(queryset)
        notice.record_view()
        notice.view_count += 1
        return notice

    def get_context_data(self, **kwargs):
        notice = self.object
        categories = list(notice.categories.all())
        related = (
            Notice.objects.related_to(notice, categories)[:RELATED_COUNT] if categories else []
        )
        # ?q= from a search result: mark the words in the text and the units that hold them.
        query = search.parse_query(self.request.GET.get("q", "")[:MAX_QUERY_LENGTH])
        if query.highlight_terms:
            document, has_units = self.render_document(query)
        else:
            generation = ArchiveGeneration.of_request(self.request)
            key = f"document:{notice.pk}:{generation}:{get_language()}"
            document, has_units = cache.get_or_set(
                key, lambda: self.render_document(query), self.DOCUMENT_TIMEOUT
            )
        return super().get_context_data(
            categories=categories,
            issuing_bodies=notice.issuing_bodies(),
            related=related,
            search_query=query,
            terms=query.highlight_terms,
            document=mark_safe(document),  # noqa: S308 — rendered by our own template
            has_units=has_units,
            **kwargs,
        )

    def render_document(self, query):
        """The notice's text: table of contents and units, highlighted for a search."""
        notice = self.object
        prefetch_related_objects([notice], "sections")
        sections = notice.sections.all()
        terms = query.highlight_terms
        hits = 0
        for unit in sections:
            unit.is_hit = bool(terms) and any(term in unit.search_text for term in terms)
            hits += unit.is_hit
        # A regulation with chapters lists its chapters and sections; one without, its articles.
        structural = {Section.Kind.PART, Section.Kind.CHAPTER, Section.Kind.SECTION}
        units = notice.unit_tree()
        context = {
            "notice": notice,
            "units": units,
            "toc_articles": not any(unit.kind in structural for unit in sections),
            "search_query": query,
            "terms": terms,
            "hit_count": hits,
        }
        html = render_to_string("documents/includes/document.html", context, self.request)
        return html, bool(units)
