from django.utils.functional import SimpleLazyObject

from .models import Category


def category_menu(request):
    """The category menu with counts, on every page; queried only when a template shows it."""
    return {"category_menu": SimpleLazyObject(lambda: list(Category.objects.with_notice_counts()))}
