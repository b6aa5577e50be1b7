from django.utils.functional import SimpleLazyObject

from . import caching
from .models import Category


def category_menu(request):
    """The category menu with counts, on every page; queried only when a template shows it,
    and then cached until the archive next changes (see documents.caching)."""

    def categories():
        counts = caching.notice_counts(request, Category)
        return list(Category.objects.with_notice_counts(counts))

    def menu():
        return caching.until_changed(request, "category-menu", categories)

    return {"category_menu": SimpleLazyObject(menu)}
