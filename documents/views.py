from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView
from django_filters.views import FilterView

from . import i18n, search
from .filters import MAX_QUERY_LENGTH, NoticeFilter
from .models import ArchiveGeneration, Category, CoIssuer, IssuingBody, Notice, Section

LATEST_ON_HOME = 10
RELATED_COUNT = 6


def home(request):
    return render(request, "documents/home.html", home_summary())


def home_summary():
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

    return cache.get_or_set(f"home:{ArchiveGeneration.current()}", compute, 3600)


class NoticeListView(FilterView):
    """All published notices, narrowed by the filter form; the page's query string is its state."""

    filterset_class = NoticeFilter
    template_name = "documents/notice_list.html"
    context_object_name = "notices"
    paginate_by = 20
    fixed_filters = ()

    def get_queryset(self):
        return Notice.objects.published().with_list_data().newest_first()

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


class NoticeDetailView(DetailView):
    template_name = "documents/notice_detail.html"
    context_object_name = "notice"

    def get_queryset(self):
        return (
            Notice.objects.published()
            .select_related("lead_issuer")
            .defer("search_title", "search_headings", "search_body", "search_text")
            .prefetch_related(
                "categories",
                "attachments",
                "sections",
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
        units = notice.unit_tree()
        # A regulation with chapters lists its chapters and sections; one without, its articles.
        structural = {Section.Kind.PART, Section.Kind.CHAPTER, Section.Kind.SECTION}
        toc_articles = not any(unit.kind in structural for unit in notice.sections.all())
        # ?q= from a search result: mark the words in the text and the units that hold them.
        query = search.parse_query(self.request.GET.get("q", "")[:MAX_QUERY_LENGTH])
        terms = query.highlight_terms
        hits = 0
        if terms:
            for unit in notice.sections.all():
                unit.is_hit = any(term in unit.search_text for term in terms)
                hits += unit.is_hit
        return super().get_context_data(
            categories=categories,
            issuing_bodies=notice.issuing_bodies(),
            units=units,
            related=related,
            search_query=query,
            toc_articles=toc_articles,
            terms=terms,
            hit_count=hits,
            **kwargs,
        )
