from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .models import ArchiveGeneration, Category


def category_menu(request):
    """The category menu with counts, on every page; queried only when a template shows it,
    and then cached until the archive next changes (see ArchiveGeneration)."""

    def categories():
        return list(Category.objects.with_notice_counts(request))

    def menu():
        key = f"category-menu:{ArchiveGeneration.of_request(request)}"
        return cache.get_or_set(key, categories, 3600)

    return {"category_menu": SimpleLazyObject(menu)}
