"""The parts of every page that only change with the archive, cached as markup."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from jinja2 import pass_context

from .. import caching


@pass_context
def category_menu(context):
    """The category menu with its counts, rendered once per archive generation, language and
    current category (marked ``aria-current``). Rendered with every page, it was some 70 % of
    the base template's time: fifteen entries, each a URL reversal, a script conversion and a
    translated count."""
    if context.get("kept_page"):  # a notice page to be kept: the menu is put in per reading
        return context["kept_page"].menu
    current = context.get("category")

    def render():
        menu = {"category_menu": context.get("category_menu", ()), "category": current}
        return render_to_string("includes/category_menu.html", menu)

    request = context.get("request")
    if request is None:  # a page rendered without its request (no archive to key it by)
        html = render()
    else:
        current_pk = getattr(current, "pk", "")
        html = caching.until_changed(request, "menu-html", render, get_language(), current_pk)
    return mark_safe(html)  # noqa: S308 — rendered by the template engine, which escaped it
