"""URLs for search engines and citations: absolute, canonical; titles set inside 《》."""

import re

from jinja2 import pass_context


@pass_context
def absolute_url(context, path):
    """The absolute URL of a path on this site, e.g. for a citation or a canonical link (in
    a notice page to be kept, the site's address is put in per reading)."""
    if context.get("kept_page"):
        return context["kept_page"].site + path
    return context["request"].build_absolute_uri(path)


@pass_context
def canonical_url(context):
    """The canonical URL of the current page: its path, without the query string.

    Filter, sort and search parameters make endless variants of a list page that a search engine
    should fold into the list itself; only plain pagination (``?page=N`` alone) names a page of
    its own, since page 2 of a list holds other notices than page 1.
    """
    request = context["request"]
    url = absolute_url(context, request.path)
    # The raw query string, not request.GET: the 400 page for a flood of parameters renders
    # this too, and request.GET would raise again there.
    page = re.fullmatch(r"page=0*([1-9][0-9]*)", request.META.get("QUERY_STRING", ""))
    if page and page.group(1) != "1":
        url += f"?page={page.group(1)}"
    return url


def inner_title_marks(title):
    """A title to be set in 《》 with its own book-title marks made single: 《…〈…〉…》."""
    return title.replace("《", "〈").replace("》", "〉")
