"""What a new server process does before it answers, so that its first reader does not wait.

Django loads lazily: the URLconf (and with it every view module, the API's serializers and the
schema views) is imported on the first request, the reverse lookup tables are built on the first
``{% url %}``, each template is compiled the first time it renders and each language's
translations are read the first time it is active. Measured on the sample archive (one gunicorn
worker, its first request a notice page with the cache empty, six starts each): 155-168 ms
without this, 36-47 ms with it; gunicorn starts each worker cold, so each worker's first reader
paid it, after every restart. No database is touched: a worker still starts while the database
is down.

Last, what is loaded by then lives as long as the process, so it is frozen out of the garbage
collector's full collections (``gc.freeze``), which otherwise walk its ~100,000 objects each
time (23.6 ms a full collection, median of 15, against none once frozen).
"""

import gc

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import translation

from documents import caching
from documents.filters import NoticeFilterForm

# The filter form's widget templates, compiled by the form's own renderer.
FORM_TEMPLATES = ("django/forms/widgets/", "django/forms/errors/", "django_filters/")


def public_templates() -> list[str]:
    """Names of the templates that readers' pages render: every Jinja2 page, and the Django
    templates of the feeds and of the last-resort 500 page."""
    jinja = settings.BASE_DIR / "documents" / "jinja2"
    names = sorted(str(path.relative_to(jinja)) for path in jinja.rglob("*.html"))
    pages = [name for name in names if not name.startswith(FORM_TEMPLATES)]
    return [*pages, "500.html", "feeds/notice_description.html"]


def form_templates() -> list[str]:
    """Names of the widget templates the filter form's renderer can render."""
    renderer = NoticeFilterForm.default_renderer
    return renderer.engine.env.list_templates(
        filter_func=lambda name: name.startswith(FORM_TEMPLATES)
    )


def warm_up() -> None:
    """Import the URLconf, build its reverse tables, compile the public templates, read the
    translations of every language the site speaks, digest the release, and freeze what is
    loaded."""
    get_resolver().url_patterns  # noqa: B018 — the property imports the URLconf
    for language, _name in settings.LANGUAGES:
        with translation.override(language):  # (activating a language reads its catalog)
            reverse("documents:home")  # the tables are built per language
    for name in public_templates():
        get_template(name)  # a template that does not compile stops the start, not a reader
    for name in form_templates():
        NoticeFilterForm.default_renderer.get_template(name)
    caching.release()  # the digest in the keys of kept notice pages
    gc.freeze()
