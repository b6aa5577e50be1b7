"""The archive's models: notices with their units, issuers and categories (``archive``)."""

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
)

__all__ = [
    "MAX_BIGINT",
    "ArchiveGeneration",
    "Attachment",
    "Category",
    "CoIssuer",
    "IssuingBody",
    "Notice",
    "NoticeQuerySet",
    "SearchEntry",
    "Section",
    "counts_by_pk",
]
