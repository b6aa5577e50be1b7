"""The list pages' filter form: every state is a query string, every bad value a form error."""

import django_filters as filters
from django import forms
from django.core.cache import cache
from django.db.models import F
from django.forms import renderers
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import caching, i18n, search, search_service
from .models import MAX_BIGINT, Category, IssuingBody, Notice
from .parsing.docnumber import normalize_doc_number

MAX_QUERY_LENGTH = 200


class YearFilter(filters.NumberFilter):
    """A year of issue (成文日期), bounded: a silly value is a form error, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1949)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class DateRangeWidget(filters.widgets.DateRangeWidget):
    """Two date inputs, each named for screen readers: the fieldset's legend names neither."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = _("起始日期")
        self.widgets[1].attrs["aria-label"] = _("截止日期")


class PlainSelect(forms.Select):
    """Django's <select>, rendered in Python instead of a template include per option.

    Every list page renders the filter form, and its issuer list has some sixty options: through
    the template engine the form's selects took over half of a list page's time; this gives the
    same markup in a small fraction of it.
    """

    # Set per request for a select whose options come from the archive (categories, issuing
    # bodies): its options are then made once per archive generation and language and cached
    # (a list page's form read and rendered every category and body: 2 queries, a third of the
    # form's time), the reader's choice marked in the cached markup.
    options_key = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.options_key is None:
            return self._render(name, value, attrs)
        options = cache.get(self.options_key)
        if options is None:
            options = self._options(self.get_context(name, None, attrs)["widget"], selected=False)
            cache.set(self.options_key, options, 3600)
        for chosen in self.format_value(value):
            unmarked = format_html('<option value="{}">', chosen)
            if unmarked in options:
                marked = format_html('<option value="{}" selected>', chosen)
                options = mark_safe(options.replace(unmarked, marked, 1))  # noqa: S308
                break  # as Django's Select: the first option chosen
        return self._select(name, self.build_attrs(self.attrs, attrs), options)

    def _render(self, name, value, attrs):
        widget = self.get_context(name, value, attrs)["widget"]
        return self._select(widget["name"], widget["attrs"], self._options(widget))

    @staticmethod
    def _options(widget, selected=True):
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = "".join(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"] if selected else {}),
                    option["label"],
                )
                for option in options
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, mark_safe(html))
                if group_name
                else html
            )
        return mark_safe("".join(groups))  # noqa: S308 — every part was escaped by format_html

    @staticmethod
    def _select(name, attrs, options):
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class ReaderScriptChoiceField(ModelChoiceField):
    """A <select> of categories or issuing bodies, named in the reader's script (简体/繁體)."""

    def label_from_instance(self, obj):
        return i18n.in_reader_script(str(obj))


class NoticeChoiceField(ModelChoiceField):
    """A published notice by its id: anything that is no id (abc, 1.5, an id past any
    database's integers) is the same clear error as an id no published notice has."""

    def to_python(self, value):
        if value not in self.empty_values and not (
            str(value).isascii() and str(value).isdigit() and 0 < int(value) <= MAX_BIGINT
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class NoticeChoiceFilter(filters.ModelChoiceFilter):
    """A published notice by its id (the API schema: an integer)."""

    field_class = NoticeChoiceField


class ReaderScriptChoiceFilter(filters.ModelChoiceFilter):
    field_class = ReaderScriptChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(*args, **kwargs)


def query_parameter_names(filterset) -> set[str]:
    """The query parameters a FilterSet reads; a range reads two (date_after, date_before)."""
    names = set()
    for name, field in filterset.form.fields.items():
        widget = field.widget
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.update(widget.suffixed(name, suffix) for suffix in suffixes)
        else:
            names.add(name)
    return names


class NoticeFilterForm(forms.Form):
    """The filter form, with the checks that span fields. Its widgets render from Django's
    Jinja2 widget templates, as the pages do (the form's rendering 2.2-2.5 -> 1.8-1.9 ms on
    every list page, bench/README.md). One renderer for every form: it holds the compiled
    templates."""

    default_renderer = renderers.Jinja2()

    def clean(self):
        cleaned = super().clean()
        dates = cleaned.get("date")
        if dates and dates.start and dates.stop and dates.start > dates.stop:
            # Zero results with no word of why would be the alternative.
            self.add_error("date", _("起始日期晚于截止日期：请交换两个日期。"))
        return cleaned


class NoticeFilter(filters.FilterSet):
    # Undated notices go last whichever way the dates run.
    SORTS = {
        "newest": (F("issued_date").desc(nulls_last=True), "-id"),
        "oldest": (F("issued_date").asc(nulls_last=True), "id"),
        "views": (F("views__count").desc(nulls_last=True), "-id"),
    }

    q = filters.CharFilter(
        label=_("关键词"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("如 区域协调发展、一带一路 核心区、发改地区〔2016〕1771号"),
            }
        ),
    )

    category = ReaderScriptChoiceFilter(
        label=_("分类"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
        empty_label=_("全部分类"),
    )
    issuer = ReaderScriptChoiceFilter(
        label=_("发文机关"),
        queryset=IssuingBody.objects.all(),
        to_field_name="slug",
        method="filter_issuer",
        empty_label=_("全部机关"),
    )
    year = YearFilter(label=_("年份"), field_name="issued_date", lookup_expr="year")
    date = filters.DateFromToRangeFilter(
        label=_("成文日期"),
        field_name="issued_date",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    doc_number = filters.CharFilter(label=_("发文字号"), method="filter_doc_number", max_length=100)
    validity = filters.ChoiceFilter(
        label=_("时效性"),
        # The stored labels are marked in the model; translated here, where a reader sees them.
        choices=[(value, _(label)) for value, label in Notice.Validity.choices],
        empty_label=_("全部"),
        widget=PlainSelect,
    )
    cites = NoticeChoiceFilter(
        label=_("引用文件"),
        queryset=Notice.objects.published(),
        method="filter_cites",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("没有这个已发布的文件：%(value)s。")},
    )
    sort = filters.ChoiceFilter(
        label=_("排序"),
        choices=[
            ("relevance", _("相关度")),
            ("newest", _("最新")),
            ("oldest", _("最早")),
            ("views", _("点击最多")),
        ],
        method="sort_by",
        empty_label=None,
        widget=PlainSelect,
    )

    class Meta:
        model = Notice
        fields = [
            "q",
            "category",
            "issuer",
            "year",
            "date",
            "doc_number",
            "validity",
            "cites",
            "sort",
        ]
        form = NoticeFilterForm

    def __init__(self, data=None, *args, fixed=None, **kwargs):
        """``fixed``: the filters that the page itself sets, by name (a category page's
        category), left out of the form."""
        # The sort select says how the list is sorted when the address does not: by relevance
        # with a keyword, newest first without one (its first choice, 相关度, showed either way).
        implied = "relevance" if (data or {}).get("q") else "newest"
        self.given = {name for name, value in (data or {}).items() if value}
        if data is not None and not data.get("sort"):
            data = data.copy()
            data["sort"] = implied
        super().__init__(data, *args, **kwargs)
        self.fixed = fixed or {}
        for name in self.fixed:  # (before the form is made of the filters)
            self.filters.pop(name)
        if data is None:
            self.form.initial["sort"] = implied
        if self.request is not None:
            for name in ("category", "issuer"):
                if name in self.form.fields:
                    key = caching.key(self.request, "filter-options", name, get_language())
                    self.form.fields[name].widget.options_key = key

    _form_classes: dict = {}

    def get_form_class(self):
        """django-filter's form class, made once per set of filters: it made a new class with
        new fields at every request (each form still copies the fields it is given)."""
        key = (type(self), tuple(self.filters))
        if key not in self._form_classes:
            self._form_classes[key] = super().get_form_class()
        return self._form_classes[key]

    # The conditions a reader sets most, shown first; the others folded under 更多条件.
    PRIMARY = ("q", "category", "issuer")

    def primary_fields(self):
        return [field for field in self.form if field.name in self.PRIMARY]

    def more_fields(self):
        return [
            field for field in self.form if field.name not in self.PRIMARY and not field.is_hidden
        ]

    def hidden_fields(self):
        """Conditions set by a link, not typed (?cites=): kept when the form is sent again."""
        return [field for field in self.form if field.is_hidden and field.value()]

    @property
    def more_filters_set(self) -> bool:
        """Whether the address sets one of the folded conditions (they then show unfolded)."""
        folded = query_parameter_names(self) - set(self.PRIMARY)
        return bool(self.given & folded) or bool(self.form.errors)

    @classmethod
    def page_parameters(cls) -> set[str]:
        """Every query parameter a list page reads: the filters' and ``page``."""
        return query_parameter_names(cls(queryset=Notice.objects.none())) | {"page"}

    @property
    def search_query(self) -> search.SearchQuery:
        """The parsed ``q`` of a valid form (empty otherwise), for ranking and snippets."""
        if not hasattr(self, "_search_query"):
            valid = self.is_bound and self.form.is_valid()
            self._search_query = search.parse_query(
                self.form.cleaned_data.get("q", "") if valid else ""
            )
        return self._search_query

    def filter_queryset(self, queryset):
        """Apply the filters, then search within what they leave, then sort. A search by
        relevance is ranked by the search service where it can be (``search_service``)."""
        data = dict(self.form.cleaned_data)
        last = {name: data.pop(name) for name in ("q", "sort") if name in data}
        unfiltered = queryset
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, value)
        if last.get("sort") == "relevance":
            conditions = {n: v for n, v in data.items() if v not in (None, "", slice(None))}
            conditions.update(self.fixed)
            ranked = search_service.ranking_of(
                queryset, self.search_query, conditions, unfiltered=unfiltered
            )
            if ranked is not None:
                return ranked
        for name, value in last.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_search(self, queryset, name, value):
        return queryset.search(self.search_query)

    def filter_category(self, queryset, name, value):
        return queryset.in_category(value)

    def filter_issuer(self, queryset, name, value):
        return queryset.issued_by(value)

    def filter_cites(self, queryset, name, value):
        """The notices whose text cites this one (``?cites=<id>``: 被引用 in full)."""
        return queryset.filter(pk__in=value.citations.values("citing_id"))

    def filter_doc_number(self, queryset, name, value):
        """Match the folded number, so 〔〕, [] and ［］, 号 and 號 all find the same notice."""
        folded = normalize_doc_number(value)
        return queryset.filter(doc_number_normalized__contains=folded) if folded else queryset

    def sort_by(self, queryset, name, value):
        if value == "relevance" and self.search_query:
            return queryset  # search() ordered it
        return queryset.order_by(*self.SORTS.get(value, self.SORTS["newest"]))
