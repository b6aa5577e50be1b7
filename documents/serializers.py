"""The JSON shapes of the read-only API: notices with their unit tree, categories, issuing bodies.

Links are absolute (a harvester stores them), dates are ISO 8601, and every field name is the
English name the README's API table documents.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import citations
from .models import Attachment, Category, IssuingBody, Notice, Reference, Section
from .parsing.docnumber import official_doc_number


def _absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class CategoryRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The category's page.")

    class Meta:
        model = Category
        fields = ["name", "slug", "url"]

    def get_url(self, category) -> str:
        return _absolute(self, category.get_absolute_url())


class IssuingBodyRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The issuing body's page.")

    class Meta:
        model = IssuingBody
        fields = ["name", "short_name", "slug", "url"]

    def get_url(self, body) -> str:
        return _absolute(self, body.get_absolute_url())


class CategorySerializer(CategoryRefSerializer):
    notice_count = serializers.IntegerField(read_only=True, help_text="Published notices.")
    notices_url = serializers.SerializerMethodField(help_text="This category's notices (API).")

    class Meta(CategoryRefSerializer.Meta):
        fields = ["name", "slug", "description", "notice_count", "url", "notices_url"]

    def get_notices_url(self, category) -> str:
        return _absolute(self, f"{reverse('documents:api-notice-list')}?category={category.slug}")


class IssuingBodySerializer(IssuingBodyRefSerializer):
    notice_count = serializers.IntegerField(
        read_only=True, help_text="Published notices it issued, as lead or joint issuer."
    )
    notices_url = serializers.SerializerMethodField(help_text="This body's notices (API).")

    class Meta(IssuingBodyRefSerializer.Meta):
        fields = ["name", "short_name", "slug", "notice_count", "url", "notices_url"]

    def get_notices_url(self, body) -> str:
        return _absolute(self, f"{reverse('documents:api-notice-list')}?issuer={body.slug}")


class SearchHitSerializer(serializers.Serializer):
    """Where a ``q`` search matched: the best unit (if the match is in one) and an excerpt."""

    anchor = serializers.CharField(allow_null=True, help_text="The best-matching unit's anchor.")
    url = serializers.CharField(help_text="The notice's page, at that unit when there is one.")
    label = serializers.CharField(allow_null=True)
    heading = serializers.CharField(allow_null=True)
    snippet = serializers.CharField(help_text="HTML: escaped text, matches in <mark>.")


class NoticeSummarySerializer(serializers.ModelSerializer):
    """A notice as a list shows it: what identifies it and where to read it."""

    url = serializers.SerializerMethodField(help_text="The notice's page.")
    api_url = serializers.SerializerMethodField(help_text="The notice with its full text (API).")
    issuing_bodies = serializers.SerializerMethodField(help_text="发文机关, the lead body first.")
    categories = CategoryRefSerializer(many=True, read_only=True)
    validity_label = serializers.CharField(source="get_validity_display", read_only=True)
    search_hit = serializers.SerializerMethodField(help_text="With ``q`` only: where it matched.")
    view_count = serializers.IntegerField(read_only=True, help_text="点击: readings of its page.")
    doc_number_official = serializers.SerializerMethodField(
        help_text="发文字号 in the form the issuing bodies print it (发改地区〔2016〕1771号); "
        "``doc_number`` is the number as the source wrote it."
    )

    class Meta:
        model = Notice
        fields = [
            "id",
            "url",
            "api_url",
            "title",
            "doc_number",
            "doc_number_official",
            "issuing_bodies",
            "categories",
            "issued_date",
            "published_date",
            "validity",
            "validity_label",
            "view_count",
            "search_hit",
        ]

    def get_url(self, notice) -> str:
        return _absolute(self, notice.get_absolute_url())

    def get_doc_number_official(self, notice) -> str:
        return official_doc_number(notice.doc_number)

    def get_api_url(self, notice) -> str:
        return _absolute(self, reverse("documents:api-notice-detail", kwargs={"pk": notice.pk}))

    @extend_schema_field(IssuingBodyRefSerializer(many=True))
    def get_issuing_bodies(self, notice):
        bodies = notice.issuing_bodies()
        return IssuingBodyRefSerializer(bodies, many=True, context=self.context).data

    @extend_schema_field(SearchHitSerializer(allow_null=True))
    def get_search_hit(self, notice):
        if not hasattr(notice, "snippet"):  # set by views.attach_search_hits for a search
            return None
        url = self.get_url(notice)
        unit = getattr(notice, "hit_unit", None)
        return {
            "anchor": unit.anchor if unit else None,
            "url": f"{url}#{unit.anchor}" if unit and unit.anchor else url,
            "label": unit.label if unit else None,
            "heading": unit.heading if unit else None,
            "snippet": str(notice.snippet),
        }


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The attached file, when there is one.")

    class Meta:
        model = Attachment
        fields = ["title", "file"]

    def get_file(self, attachment) -> str | None:
        return _absolute(self, attachment.file.url) if attachment.file else None


class UnitSerializer(serializers.ModelSerializer):
    """A numbered unit (章, 节, 条, 项) with its sub-units."""

    url = serializers.SerializerMethodField(help_text="The unit on the notice's page (#anchor).")

    class Meta:
        model = Section
        fields = ["kind", "label", "number", "heading", "text", "anchor", "url", "children"]

    def get_url(self, unit) -> str:
        notice_url = self.context["notice_url"]
        return f"{notice_url}#{unit.anchor}" if unit.anchor else notice_url


# A unit's children are units: declared after the class so the serializer can refer to itself.
UnitSerializer._declared_fields["children"] = UnitSerializer(
    many=True, read_only=True, source="child_units"
)


class NoticeRefSerializer(serializers.ModelSerializer):
    """Another archived notice, as a reference names it."""

    url = serializers.SerializerMethodField(help_text="The notice's page.")
    api_url = serializers.SerializerMethodField(help_text="The notice (API).")

    class Meta:
        model = Notice
        fields = ["id", "title", "url", "api_url"]

    def get_url(self, notice) -> str:
        return _absolute(self, notice.get_absolute_url())

    def get_api_url(self, notice) -> str:
        return _absolute(self, reverse("documents:api-notice-detail", kwargs={"pk": notice.pk}))


class CitesSerializer(serializers.ModelSerializer):
    """A document the notice's text names: as written, where, and the archived notice."""

    anchor = serializers.SerializerMethodField(
        help_text="The citing unit's anchor; null for the covering text."
    )
    notice = serializers.SerializerMethodField(
        help_text="The cited notice when the archive has it published, else null."
    )

    class Meta:
        model = Reference
        fields = ["text", "title", "doc_number", "effect", "anchor", "notice"]

    def get_anchor(self, reference) -> str | None:
        return reference.unit.anchor if reference.unit else None

    @extend_schema_field(NoticeRefSerializer(allow_null=True))
    def get_notice(self, reference):
        if reference.cited is None:
            return None
        return NoticeRefSerializer(reference.cited, context=self.context).data


class CitedBySerializer(serializers.Serializer):
    """A published notice whose text names this one, at a unit."""

    id = serializers.IntegerField(source="citing.pk")
    title = serializers.CharField(source="citing.title")
    issued_date = serializers.DateField(source="citing.issued_date", allow_null=True)
    effect = serializers.CharField()
    anchor = serializers.SerializerMethodField(help_text="The citing unit's anchor, or null.")
    url = serializers.SerializerMethodField(help_text="The citing notice's page, at that unit.")

    def get_anchor(self, reference) -> str | None:
        return reference.unit.anchor if reference.unit else None

    def get_url(self, reference) -> str:
        url = _absolute(self, reference.citing.get_absolute_url())
        return f"{url}#{reference.unit.anchor}" if reference.unit else url


class NoticeDetailSerializer(NoticeSummarySerializer):
    """A notice whole: metadata, its own text, attachments and the tree of numbered units."""

    attachments = AttachmentSerializer(many=True, read_only=True)
    units = serializers.SerializerMethodField(help_text="The numbered units, as a tree.")
    cites = serializers.SerializerMethodField(help_text="What the text cites, in text order.")
    cited_by = serializers.SerializerMethodField(
        help_text=f"Published notices citing this one, newest first (at most "
        f"{citations.CITED_BY_SHOWN}; all of them: ?cites=<id>)."
    )
    cited_by_count = serializers.SerializerMethodField(
        help_text="How many published notices cite this one."
    )

    class Meta(NoticeSummarySerializer.Meta):
        fields = NoticeSummarySerializer.Meta.fields + [
            "addressees",
            "preamble",
            "signatory",
            "source",
            "index_number",
            "attachments",
            "body_title",
            "body_intro",
            "units",
            "cites",
            "cited_by",
            "cited_by_count",
            "updated_at",
        ]

    @extend_schema_field(UnitSerializer(many=True))
    def get_units(self, notice):
        context = {**self.context, "notice_url": self.get_url(notice)}
        return UnitSerializer(notice.unit_tree(), many=True, context=context).data

    @extend_schema_field(CitesSerializer(many=True))
    def get_cites(self, notice):
        return CitesSerializer(citations.outgoing(notice), many=True, context=self.context).data

    def _incoming(self, notice):
        if getattr(self, "_incoming_of", (None,))[0] != notice.pk:
            self._incoming_of = (notice.pk, citations.incoming(notice))
        return self._incoming_of[1]

    @extend_schema_field(CitedBySerializer(many=True))
    def get_cited_by(self, notice):
        rows, _ = self._incoming(notice)
        return CitedBySerializer(rows, many=True, context=self.context).data

    def get_cited_by_count(self, notice) -> int:
        return self._incoming(notice)[1]
