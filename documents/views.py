from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView
from django_filters.views import FilterView

from .filters import NoticeFilter
from .models import Category, CoIssuer, IssuingBody, Notice

LATEST_ON_HOME = 10
RELATED_COUNT = 6


def home(request):
    published = Notice.objects.published()
    context = {
        "latest": published.with_list_data().newest_first()[:LATEST_ON_HOME],
        "notice_count": published.count(),
        "top_issuers": IssuingBody.objects.with_notice_counts()
        .filter(notice_count__gt=0)
        .order_by("-notice_count", "name")[:10],
    }
    return render(request, "documents/home.html", context)


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
            Notice.objects.published()
            .filter(categories__in=categories)
            .exclude(pk=notice.pk)
            .select_related("lead_issuer")
            .distinct()
            .newest_first()[:RELATED_COUNT]
            if categories
            else []
        )
        units = notice.unit_tree()
        return super().get_context_data(
            categories=categories,
            issuing_bodies=notice.issuing_bodies(),
            units=units,
            related=related,
            **kwargs,
        )
