from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from reversion.admin import VersionAdmin

from . import citations, services, uploads
from .forms import ImportTextForm
from .models import (
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    Reference,
    Section,
    ValidityProposal,
)
from .parsing import parse_notice
from .parsing.locate import located_warnings


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "menu_order", "notice_count"]
    list_editable = ["menu_order"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(notice_count=Count("notices"))

    @admin.display(description="文件数", ordering="notice_count")
    def notice_count(self, category):
        return category.notice_count


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug"]
    search_fields = ["name", "short_name"]


class CoIssuerInline(admin.TabularInline):
    model = CoIssuer
    autocomplete_fields = ["body"]
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0


class SectionInline(admin.StackedInline):
    model = Section
    fk_name = "notice"
    extra = 0
    fields = [("position", "kind", "label", "number"), "parent", "heading", "text"]
    ordering = ["position", "id"]

    def get_formset(self, request, obj=None, **kwargs):
        # A unit's parent is one of the same notice's units; the choices are read once per page.
        self._parent_choices = list(Section.objects.filter(notice=obj)) if obj else []
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Section.objects.filter(pk__in=[s.pk for s in self._parent_choices])
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.choices = [("", "—（顶层）")] + [(s.pk, str(s)) for s in self._parent_choices]
        return field


@admin.register(Notice)
class NoticeAdmin(VersionAdmin):
    """Notices with their units inline; every change is a revision that can be viewed and
    restored (历史), and deleted notices can be recovered. Editors write drafts; publishers
    (permission publish_notice) also publish, unpublish, delete and edit published notices."""

    list_display = [
        "title",
        "doc_number",
        "lead_issuer",
        "issued_date",
        "published_date",
        "validity",
        "status",
        "view_count",
    ]

    @admin.display(description="点击", ordering="view_count")
    def view_count(self, notice):
        return notice.view_count

    def get_queryset(self, request):
        return super().get_queryset(request).with_view_counts()

    list_filter = ["status", "validity", "categories", "lead_issuer"]
    list_select_related = ["lead_issuer"]
    search_fields = ["title", "doc_number", "doc_number_normalized", "lead_issuer__name"]
    date_hierarchy = "issued_date"
    autocomplete_fields = ["lead_issuer"]
    filter_horizontal = ["categories"]
    readonly_fields = ["view_count", "created_at", "updated_at", "references_found"]
    inlines = [CoIssuerInline, AttachmentInline, SectionInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "doc_number", "lead_issuer", "categories"]}),
        (
            "日期与状态",
            {"fields": [("issued_date", "published_date"), ("validity", "status"), "source"]},
        ),
        ("通知", {"fields": ["addressees", "preamble", "signatory", "index_number"]}),
        ("印发的文件", {"fields": ["body_title", "body_intro"]}),
        ("原始文件", {"fields": ["source_file"]}),
        ("引用", {"fields": ["references_found"]}),
        ("记录", {"fields": [("view_count", "created_at", "updated_at")]}),
    ]

    change_list_template = "admin/documents/notice/change_list.html"

    def has_publish_permission(self, request):
        return request.user.has_perm("documents.publish_notice")

    @admin.display(description="本文引用（保存时从正文识别）")
    def references_found(self, notice):
        references = notice.references.select_related("cited").order_by("position")
        rows = [
            format_html(
                "<li>{}{}{}</li>",
                ref.text,
                f" → 《{ref.cited.title}》" if ref.cited else "（本站未收录）",
                f"［{ref.get_effect_display()}］" if ref.effect != Reference.Effect.CITES else "",
            )
            for ref in references
        ]
        return format_html("<ol>{}</ol>", mark_safe("".join(rows))) if rows else "—"  # noqa: S308

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published and not self.has_publish_permission(request):
            return False  # an editor may read a published notice, not change it
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")
        return fields

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="documents_notice_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Paste or upload raw text → preview of the parse → save as a draft (nothing before)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportTextForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "从文本导入文件",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            parsed = parse_notice(
                form.cleaned_data["source_text"], html=form.cleaned_data["source_is_html"]
            )
            duplicate = services.find_duplicate(parsed)
            problems = services.import_problems(parsed)
            new_bodies = services.unknown_bodies(parsed)
            context.update(
                parsed=parsed,
                warnings=located_warnings(form.cleaned_data["source_text"], parsed.warnings),
                duplicate=duplicate,
                duplicate_reason=duplicate and services.duplicate_reason(duplicate),
                can_update=bool(duplicate) and self.has_change_permission(request, duplicate),
                problems=problems,
                new_bodies=new_bodies,
            )
            unconfirmed = new_bodies and not request.POST.get("confirm_new_bodies")
            if "save" in request.POST and unconfirmed and not duplicate and not problems:
                context["problems"] = [
                    f"请确认新建发文机关：{'、'.join(new_bodies)}（若是误识别，请修改原文后重新预览）。"
                ]
            elif "update" in request.POST and duplicate and not problems:
                # The editor chose to overwrite the archived notice with this text.
                if not self.has_change_permission(request, duplicate):
                    raise PermissionDenied
                result = services.import_notice(
                    parsed=parsed,
                    status=duplicate.status,
                    update=True,
                    user=request.user,
                    source_file=form.cleaned_data["source_file"],
                )
                uploads.drop_stash(form.cleaned_data["source_upload"])
                self.log_change(request, result.notice, "从文本覆盖更新")
                self.message_user(
                    request,
                    f"已用新文本覆盖更新《{result.notice.title}》，"
                    f"{result.notice.sections.count()} 个条目。"
                    "修改前的版本可在“历史”中查看和恢复。",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:documents_notice_change", args=[result.notice.pk]))
            elif "save" in request.POST and not duplicate and not problems:
                try:
                    result = services.import_notice(
                        parsed=parsed,
                        categories=list(form.cleaned_data["categories"]),
                        user=request.user,
                        source_file=form.cleaned_data["source_file"],
                    )
                except (services.DuplicateNotice, services.ImportRefused) as error:
                    context["problems"] = [str(error)]
                else:
                    uploads.drop_stash(form.cleaned_data["source_upload"])
                    self.log_addition(request, result.notice, "从文本导入")
                    self.message_user(
                        request,
                        f"已保存为草稿：《{result.notice.title}》，"
                        f"{result.notice.sections.count()} 个条目。请核对后发布。",
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:documents_notice_change", args=[result.notice.pk])
                    )
            # The preview re-posts the text itself, so an uploaded file need not be sent again;
            # the file waits in storage for the save, to be kept with the notice.
            source = form.cleaned_data["source_file"]
            context["source_name"] = source[0] if source else ""
            context["form"] = ImportTextForm(
                initial={
                    "text": form.cleaned_data["source_text"],
                    "source_kind": form.source_kind_for_save(),
                    "source_upload": uploads.stash_upload(*source) if source else "",
                    "categories": form.cleaned_data["categories"],
                }
            )
        return TemplateResponse(request, "admin/documents/notice/import.html", context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_anchors(form.instance)
        services.index_notices([form.instance.pk])

    @admin.action(description="发布所选文件", permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = services.publish(queryset, user=request.user)
        self.message_user(request, f"已发布 {count} 个文件。", messages.SUCCESS)

    @admin.action(description="撤回所选文件为草稿", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = services.unpublish(queryset, user=request.user)
        self.message_user(request, f"已撤回 {count} 个文件为草稿。", messages.SUCCESS)


@admin.register(ValidityProposal)
class ValidityProposalAdmin(admin.ModelAdmin):
    """Validity changes that notices' texts propose (…同时废止): publishers accept or reject
    them; nothing changes a notice's validity until they do."""

    list_display = ["notice", "validity", "by", "sentence", "decision", "created_at"]
    list_filter = ["decision", "validity"]
    list_select_related = ["notice", "by"]
    search_fields = ["notice__title", "by__title", "sentence"]
    readonly_fields = [
        "notice",
        "validity",
        "by",
        "sentence",
        "decision",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False  # proposals come from notices' texts

    def has_delete_permission(self, request, obj=None):
        return False  # a decision stays on record

    def has_decide_permission(self, request):
        return request.user.has_perm("documents.change_validityproposal")

    @admin.action(description="接受所选建议（修改文件的时效性）", permissions=["decide"])
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="拒绝所选建议", permissions=["decide"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, accept=False)

    def _decide(self, request, queryset, *, accept):
        pending = list(queryset.filter(decision=ValidityProposal.Decision.PENDING))
        for proposal in pending:
            citations.decide(proposal, accept=accept, user=request.user)
        done = "接受" if accept else "拒绝"
        self.message_user(request, f"已{done} {len(pending)} 条建议。", messages.SUCCESS)
        if len(pending) < queryset.count():
            self.message_user(request, "已审核过的建议未改动。", messages.WARNING)
