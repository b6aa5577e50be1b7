"""The read-only JSON API: notices (the list pages' filters and search), categories, issuers.

A harvester cannot see a filter it misspelled: the list pages forgive unknown parameters, the API
refuses them. Every list answers an unknown query parameter or an invalid value with a 400 that
names the parameter, so a typo never silently returns the wrong rows.
"""

from django.core.exceptions import ValidationError as FieldError
from django.http import Http404, JsonResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import SimpleRouter

from . import serializers as api_serializers
from .caching import notice_counts
from .filters import NoticeFilter, query_parameter_names
from .models import Category, IssuingBody, Notice
from .views import attach_search_hits

MAX_PAGE_SIZE = 100

# category and issuer take a slug and filter by method, which the schema cannot guess: a string.
for _slug_filter in ("category", "issuer"):
    extend_schema_field(OpenApiTypes.STR)(NoticeFilter.base_filters[_slug_filter])

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="An unknown query parameter (`unknown_parameters`) or an invalid value, keyed by "
    "the parameter's name.",
)
NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="No such page of results, or no published notice with this id (`detail`).",
)


def filter_errors(filterset) -> dict[str, list[str]]:
    """The form's errors keyed by query parameter: date_before, not the form field ``date``."""
    errors = {}
    for name, messages in filterset.form.errors.items():
        field = filterset.form.fields.get(name)
        suffixes = getattr(getattr(field, "widget", None), "suffixes", None)
        if not suffixes:
            errors[name] = list(messages)
            continue
        # A range: check each half on its own to say which parameter is wrong.
        values = field.widget.value_from_datadict(filterset.form.data, {}, name)
        for suffix, subfield, value in zip(suffixes, field.fields, values, strict=True):
            try:
                subfield.clean(value)
            except FieldError as error:
                errors[field.widget.suffixed(name, suffix)] = error.messages
        if not any(key.startswith(f"{name}_") for key in errors):
            errors[name] = list(messages)
    return errors


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, answering an invalid value with a 400 keyed by the parameter."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset))
        query = filterset.search_query
        if query.raw.strip() and not (query or query.excluded):
            # The list pages say so above the whole list; a harvester gets the reason instead.
            raise ValidationError({"q": [f"“{query.raw[:40]}”里没有可搜索的词。"]})
        view.filterset = filterset  # the list marks search hits with its parsed query
        return filterset.qs


class Pagination(PageNumberPagination):
    """?page=N (a bad or empty page is a 404) and ?page_size=N, at most 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["请输入一个正整数。"]})
        if size > self.max_page_size:
            # Refused, as an unknown parameter is: a harvester that asked for 1,000 rows a page
            # must not take 100 for all there is.
            raise ValidationError(
                {self.page_size_query_param: [f"每页最多 {self.max_page_size} 条。"]}
            )
        return size


class ReadOnlyAPIViewSet(viewsets.GenericViewSet):
    """Anonymous, GET-only, JSON; refuses query parameters it does not know."""

    authentication_classes = ()
    pagination_class = Pagination
    filterset_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.known_query_parameters())
        if unknown:
            raise ValidationError({"unknown_parameters": unknown})
        # Every parameter takes one value: a second one would be silently ignored.
        repeated = sorted(k for k, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({"repeated_parameters": repeated})

    def known_query_parameters(self) -> set[str]:
        known = {"format"}
        if self.action == "list":
            known |= {self.paginator.page_query_param, self.paginator.page_size_query_param}
            if self.filterset_class is not None:
                known |= query_parameter_names(self.filterset_class(queryset=Notice.objects.none()))
        return known


@extend_schema_view(
    list=extend_schema(
        summary="Published notices, filtered and searched like the list pages",
        description="`q` searches in either script and ranks by relevance unless `sort` says "
        "otherwise. Unknown parameters and invalid values are a 400.",
        responses={
            200: api_serializers.NoticeSummarySerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    ),
    retrieve=extend_schema(
        summary="One published notice with its attachments and unit tree",
        responses={
            200: api_serializers.NoticeDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    ),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadOnlyAPIViewSet):
    filter_backends = [StrictFilterBackend]
    filterset_class = NoticeFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        notices = Notice.objects.published().with_categories_and_issuers().with_view_counts()
        if self.action == "retrieve":
            return notices.prefetch_related("attachments", "sections")
        return notices.newest_first()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return api_serializers.NoticeDetailSerializer
        return api_serializers.NoticeSummarySerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound("没有这个编号的已发布文件。") from None

    def filter_queryset(self, queryset):
        # The filters choose among notices; a notice asked for by its id is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        notices = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if query := self.filterset.search_query:
            attach_search_hits(notices, query)
        serializer = self.get_serializer(notices, many=True)
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    list=extend_schema(
        summary="The category menu, with published notice counts",
        responses={
            200: api_serializers.CategorySerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
)
class CategoryViewSet(mixins.ListModelMixin, ReadOnlyAPIViewSet):
    serializer_class = api_serializers.CategorySerializer

    def get_queryset(self):
        return Category.objects.with_notice_counts(notice_counts(self.request, Category))


@extend_schema_view(
    list=extend_schema(
        summary="Issuing bodies of published notices, with their notice counts",
        responses={
            200: api_serializers.IssuingBodySerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
)
class IssuingBodyViewSet(mixins.ListModelMixin, ReadOnlyAPIViewSet):
    serializer_class = api_serializers.IssuingBodySerializer

    def get_queryset(self):
        counts = notice_counts(self.request, IssuingBody)
        issuers = [pk for pk, count in counts.items() if count]  # led or joined a published one
        bodies = IssuingBody.objects.filter(pk__in=issuers)
        return bodies.with_notice_counts(counts).order_by("name")


def not_found(request):
    """Any other address under /api/ (``/api/notices/abc/``): a JSON 404, not the HTML page."""
    return JsonResponse({"detail": "未找到。"}, status=404)


router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="api-notice")
router.register("categories", CategoryViewSet, basename="api-category")
router.register("issuers", IssuingBodyViewSet, basename="api-issuer")
