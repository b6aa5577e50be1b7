"""The Jinja2 environment of the readers' pages (``documents/jinja2/``), and what those pages
call: the reader's script (``script``), a notice's text with its units, marks and links
(``text``), the chrome that changes with the archive (``chrome``), URLs for search engines and
citations (``seo``).

The admin, the feeds and the error page of last resort stay in Django's template language
(``templates/``). With Jinja2 a first page takes 7-27 % less CPU time (bench/README.md, tenth
session) for the same HTML.
"""

from django.conf import settings
from django.template import defaultfilters
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context

from . import chrome, script, seo, text


@pass_context
def querystring(context, **changes):
    """The page's query string with ``changes`` (a value of None removes the parameter), as
    Django's ``{% querystring %}`` makes it."""
    return django_querystring(None, context["request"].GET, **changes)


def url(name, *args, **kwargs):
    """The path of the URL named ``name`` (``{% url %}``)."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options):
    """The pages' environment: Django's translations, and the project's tags and filters."""
    options["undefined"] = ChainableUndefined  # a missing value shows as nothing, as in Django
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(
        url=url,
        static=static,
        querystring=querystring,
        absolute_url=seo.absolute_url,
        canonical_url=seo.canonical_url,
        menu=chrome.category_menu,  # (the markup; ``category_menu`` is the list it shows)
        html_lang=script.html_lang,
        get_language=get_language,
        languages=settings.LANGUAGES,
        unit_sections=text.unit_sections,
        toc_list=text.toc_list,
    )
    env.filters.update(
        script=script.script,
        doc_number=script.doc_number,
        paragraphs=text.paragraphs,
        without_notes=text.without_notes,
        notes=text.notes,
        highlight=text.highlight,
        marked=text.marked,
        isolated=text.isolated,
        inner_title_marks=seo.inner_title_marks,
        date=defaultfilters.date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
    )
    return env
