from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from django.views.generic import DetailView
from django_filters.views import FilterView

from . import caching, citations, i18n, notice_pages, ranking, readings, search
from .conditional import archive_condition, archive_etag, cached_for_anonymous_readers
from .filters import MAX_QUERY_LENGTH, NoticeFilter
from .models import (
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    Section,
)
from .pagination import ArchivePaginator
from .templating.text import Marks

LATEST_ON_HOME = 10


@archive_condition
@cached_for_anonymous_readers()
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
            # Ordered here: filtering and ordering on the annotation in SQL counted it thrice.
            "top_issuers": sorted(
                (
                    body
                    for body in IssuingBody.objects.with_notice_counts(
                        caching.notice_counts(request, IssuingBody)
                    )
                    if body.notice_count
                ),
                key=lambda body: (-body.notice_count, body.name),
            )[:10],
        }

    return caching.until_changed(request, "home", compute)


@method_decorator(
    [archive_condition, cached_for_anonymous_readers(NoticeFilter.page_parameters)],
    name="dispatch",
)
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
            count=self.archive_search_count,
            keep_order=not caching.ordered_by_readings(self.request),
        )

    def archive_search_count(self) -> int | None:
        """For a search of the whole archive (no other filter, not a category's or a body's
        page), the count from the search index alone (``ranking.count_in_index``)."""
        filterset = self.filterset
        filtered = filterset.given & set(filterset.filters)
        if self.fixed_filters or not filterset.is_valid() or not filtered <= {"q", "sort"}:
            return None
        return ranking.count_in_index(filterset.queryset, filterset.search_query)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["fixed"] = {name: getattr(self, name) for name in self.fixed_filters}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.filterset.search_query
        context["search_query"] = query
        form = self.filterset.form
        context["cited_notice"] = form.is_valid() and form.cleaned_data.get("cites")
        if query:
            attach_search_hits(context["object_list"], query, convert=i18n.in_reader_script)
        return context


def attach_search_hits(notices, query: search.SearchQuery, *, convert=None) -> None:
    """Give each listed notice a highlighted title, its best-matching unit and a snippet of it.

    One query for the whole page: each notice's unit that holds most of the query's terms
    (``best_units``). ``convert`` turns stored text into the text shown (the reader's script)
    before marking it; the API leaves it as stored.
    """
    convert = convert or (lambda text: text)
    notices = list(notices)
    terms = query.highlight_terms
    if not notices or not terms:
        return
    best = {unit.notice_id: unit for unit in best_units(notices, terms)}
    for notice in notices:
        notice.title_html = search.highlight(convert(notice.title), terms)
        unit = best.get(notice.pk)
        if unit is not None:
            notice.hit_unit = unit
            notice.snippet = _unit_snippet(unit, terms, convert)
        else:
            text = notice.preamble or notice.body_intro
            notice.snippet = search.snippet(text, terms, convert=convert)


def _unit_snippet(unit: Section, terms: list[str], convert) -> str:
    if not unit.text:
        return search.snippet(unit.heading, terms, convert=convert)
    # search_text is the folded label, heading, a line break and text: the text's part.
    folded = unit.search_text[len(search.fold(f"{unit.label}{unit.heading}\n")) :]
    return search.snippet(unit.text, terms, convert=convert, folded=folded)


def best_units(notices, terms: list[str]):
    """For each notice, the unit that holds the most distinct terms, then the most occurrences
    of them, then comes first; none for a notice whose units hold none. Chosen in the database,
    one row a notice: the units of twenty notices that hold a common word, read whole and
    scored in Python, took 15 ms of a search page at 100,000 notices. In SQL that both
    databases speak: as a queryset, compiling its expressions alone took 5 ms."""
    like = [f"%{_escape_like(term)}%" for term in terms]  # (terms are folded, as search_text)
    holds = " OR ".join(["search_text LIKE %s ESCAPE '!'"] * len(terms))
    found = " + ".join(["CASE WHEN search_text LIKE %s ESCAPE '!' THEN 1 ELSE 0 END"] * len(terms))
    occurrences = " + ".join(
        ["(LENGTH(search_text) - LENGTH(REPLACE(search_text, %s, ''))) / %s"] * len(terms)
    )
    ids = ", ".join(["%s"] * len(notices))
    sql = f"""
        SELECT id, notice_id, anchor, label, heading, text, search_text FROM (
            SELECT id, notice_id, anchor, label, heading, text, search_text, ROW_NUMBER() OVER (
                PARTITION BY notice_id
                ORDER BY {found} DESC, {occurrences} DESC, position, id
            ) AS rank
            FROM documents_section WHERE notice_id IN ({ids}) AND ({holds})
        ) AS ranked WHERE rank = 1
    """
    counted = [value for term in terms for value in (term, len(term))]
    params = [*like, *counted, *(notice.pk for notice in notices), *like]
    return Section.objects.raw(sql, params)


def _escape_like(term: str) -> str:
    return term.replace("!", "!!").replace("%", "!%").replace("_", "!_")


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


def reading_etag(request, pk):
    """The detail page's ETag (see ``archive_etag``). Asked first for every reading (GET), it
    counts the reading too (``readings.record_reading``: one statement, which also gives the
    version of the notice's kept page), so a reading answered 304 is counted as one answered
    in full. A HEAD is not a reading; other methods get no ETag and the view's 405."""
    request.reading = None
    if request.method == "GET":
        request.reading = readings.record_reading(pk)
    elif request.method == "HEAD":
        request.reading = readings.view_count(pk)  # as a GET would answer, uncounted
    else:
        return None
    if request.reading is None:
        return None  # no published notice: no ETag, and the view answers 404
    return archive_etag(request)


@method_decorator(condition(etag_func=reading_etag), name="dispatch")
class NoticeDetailView(DetailView):
    """A notice in full. For readers not logged in and without a query string (nearly every
    reading) the page is kept until something it shows changes (``notice_pages``), with the
    view count, the menu and the related notices put in per reading. Others (a ?q= search, a
    logged-in editor) get the page rendered."""

    template_name = "documents/notice_detail.html"
    context_object_name = "notice"

    def get(self, request, *args, **kwargs):
        reading = request.reading  # counted by reading_etag, with this reading
        if reading is None:
            return self.draft_preview(request)
        own_address = request.get_full_path() == Notice(pk=kwargs["pk"]).get_absolute_url()
        if not own_address or request.user.is_authenticated or reading.page_version is None:
            return super().get(request, *args, **kwargs)  # (the page holds its address)
        page = notice_pages.page(request, int(kwargs["pk"]), reading, self.render_kept_page)
        if page is None:  # not to be kept: rendered for this reader alone
            self.kept = None
            return super().get(request, *args, **kwargs)
        return HttpResponse(page)

    def render_kept_page(self) -> tuple[bytes, list[int]]:
        """The page as every reader not logged in gets it, with stand-ins for what differs per
        reading (``notice_pages.KEPT``), and the notice's categories."""
        self.kept = notice_pages.KEPT
        self.object = self.get_object()
        context = self.get_context_data(object=self.object, kept_page=self.kept)
        content = self.render_to_response(context).render().content
        return content, [category.pk for category in context["categories"]]

    kept = None

    def draft_preview(self, request):
        """A draft as its page will read, for the editors who may see it (在站点上查看 in the
        admin), under a 草稿 banner; never cached, never counted, a 404 for anyone else."""
        if not request.user.has_perm("documents.view_notice"):
            raise Http404("没有这个已发布的文件。")
        self.draft = True
        self.object = self.get_object(
            self.notices(Notice.objects.exclude(status=Notice.Status.PUBLISHED).with_view_counts())
        )
        response = self.render_to_response(self.get_context_data(object=self.object))
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    draft = False

    def get_queryset(self):
        return self.notices(Notice.objects.published())

    @staticmethod
    def notices(notices):
        """What a notice page reads of the notices, without a query per unit or issuer."""
        return (
            notices.select_related("lead_issuer")
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
        if self.kept:
            notice.view_count = self.kept.views
        elif not self.draft:
            notice.view_count = self.request.reading.count
        return notice

    def get_context_data(self, **kwargs):
        notice = self.object
        categories = list(notice.categories.all())
        if self.kept:
            related_section = self.kept.related
        else:
            ids = [category.pk for category in categories]
            related_section = notice_pages.related_section(self.request, notice.pk, ids)
        # ?q= from a search result: mark the words in the text and the units that hold them.
        query = search.parse_query(self.request.GET.get("q", "")[:MAX_QUERY_LENGTH])
        terms = query.highlight_terms
        references = citations.outgoing(notice)
        links = citations.links_by_unit(references)
        cited_by, cited_by_count = citations.incoming(notice)
        hits = 0
        for unit in notice.sections.all():
            unit.is_hit = bool(terms) and any(term in unit.search_text for term in terms)
            unit.marks = Marks(terms, links.get(unit.pk, []))
            hits += unit.is_hit
        # A regulation with chapters lists its chapters and sections; one without, its articles.
        structural = {Section.Kind.PART, Section.Kind.CHAPTER, Section.Kind.SECTION}
        return super().get_context_data(
            categories=categories,
            issuing_bodies=notice.issuing_bodies(),
            units=notice.unit_tree(),
            related_section=related_section,
            search_query=query,
            toc_articles=not any(unit.kind in structural for unit in notice.sections.all()),
            terms=terms,
            hit_count=hits,
            covering_marks=Marks(terms, links.get(None, [])),
            cited_documents=citations.cited_documents(references),
            cited_by=cited_by,
            cited_by_count=cited_by_count,
            validity_changed_by=citations.changed_by(notice),
            draft_preview=self.draft,
            **kwargs,
        )
