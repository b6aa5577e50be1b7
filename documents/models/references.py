"""Notices that know each other: what a notice's text cites, and what it repeals or amends.

A ``Reference`` is one place in a notice's text that names another document (see
documents.parsing.references), resolved to the archived notice when the archive holds it. A
reference that repeals or amends an archived notice proposes a change of that notice's
validity (``ValidityProposal``), which an editor accepts or rejects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .archive import Notice, Section


class Reference(models.Model):
    """A document named in a notice's text, where it is named, and the notice it names when
    the archive holds one (by document number and issuer code, else by exact title)."""

    class Effect(models.TextChoices):
        CITES = "cites", "引用"
        REPEALS = "repeals", "废止"
        AMENDS = "amends", "修改"

    citing = models.ForeignKey(
        Notice, verbose_name="引用文件", on_delete=models.CASCADE, related_name="references"
    )
    # The unit whose text names it; none for the covering text (preamble, introduction).
    # A deleted unit leaves its references until the notice's are read again (in the same
    # transaction, services.index_notices): what they cited is known then, and its kept page
    # expires (documents.notice_pages).
    unit = models.ForeignKey(
        Section, verbose_name="所在条目", on_delete=models.SET_NULL, null=True, blank=True
    )
    position = models.PositiveIntegerField("顺序", default=0)
    text = models.CharField("原文", max_length=300)
    title = models.CharField("标题", max_length=250, blank=True)
    doc_number = models.CharField("发文字号", max_length=100, blank=True)
    # Keys for resolving: the folded number (发改地区[2016]1771号) and the folded title.
    doc_number_normalized = models.CharField(max_length=100, blank=True, editable=False)
    title_key = models.CharField(max_length=250, blank=True, editable=False)
    effect = models.CharField("作用", max_length=10, choices=Effect.choices, default=Effect.CITES)
    # The sentence that repeals or amends (kept for the proposal it makes; "" for a citation).
    sentence = models.TextField("原文语句", blank=True)
    cited = models.ForeignKey(
        Notice,
        verbose_name="被引用文件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
    )

    class Meta:
        ordering = ["citing", "position"]
        verbose_name = "引用"
        verbose_name_plural = "引用"
        indexes = [
            models.Index(fields=["doc_number_normalized"], name="reference_docno"),
            models.Index(fields=["title_key"], name="reference_title"),
        ]

    def __str__(self):
        return self.text


class ValidityProposal(models.Model):
    """A notice's text repeals or amends an archived notice: a proposed change of that
    notice's validity, with the citing notice as its reason. Nothing changes until an editor
    accepts it; a rejected proposal stays rejected when the text is read again."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已接受"
        REJECTED = "rejected", "已拒绝"

    notice = models.ForeignKey(
        Notice,
        verbose_name="被废止或修改的文件",
        on_delete=models.CASCADE,
        related_name="validity_proposals",
    )
    by = models.ForeignKey(
        Notice, verbose_name="依据文件", on_delete=models.CASCADE, related_name="proposed_changes"
    )
    validity = models.CharField("拟改为", max_length=10, choices=Notice.Validity.choices)
    sentence = models.TextField("原文语句", blank=True)
    decision = models.CharField(
        "审核", max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        ordering = ["decision", "-created_at"]
        verbose_name = "时效变更建议"
        verbose_name_plural = "时效变更建议"
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "by", "validity"], name="validity_proposal_once"
            ),
            models.CheckConstraint(
                condition=~Q(notice=models.F("by")), name="validity_proposal_not_self"
            ),
        ]

    def __str__(self):
        return f"《{self.notice.title}》{self.get_validity_display()}（依据《{self.by.title}》）"
