"""The archive's models: notices with their units, issuers and categories (``archive``); what
notices cite, repeal and amend of each other (``references``)."""

from .archive import (
    MAX_BIGINT,
    ArchiveGeneration,
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    NoticeQuerySet,
    SearchEntry,
    Section,
    counts_by_pk,
    notice_counts_until_changed,
)
from .references import Reference, ValidityProposal

__all__ = [
    "MAX_BIGINT",
    "ArchiveGeneration",
    "Attachment",
    "Category",
    "CoIssuer",
    "IssuingBody",
    "Notice",
    "Reference",
    "NoticeQuerySet",
    "SearchEntry",
    "Section",
    "ValidityProposal",
    "counts_by_pk",
    "notice_counts_until_changed",
]
