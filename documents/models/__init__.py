"""The archive's models: notices with their units, issuers and categories (``archive``); the
counter of changes to it that cached pages are keyed by (``generation``); the notices' view
counts (``views``); what notices cite, repeal and amend of each other (``references``)."""

from .archive import (
    MAX_BIGINT,
    Attachment,
    Category,
    CoIssuer,
    IssuingBody,
    Notice,
    NoticeQuerySet,
    SearchEntry,
    Section,
    counts_by_pk,
)
from .generation import ArchiveGeneration
from .references import Reference, ValidityProposal
from .views import NoticeViews

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
    "NoticeViews",
    "SearchEntry",
    "Section",
    "ValidityProposal",
    "counts_by_pk",
]
