"""The Jinja2 environment of the public pages (``documents/jinja2/``).

Readers' pages are Jinja2 templates; the admin, the feeds and the error page of last resort stay
in Django's template language (``templates/``). Measured on first requests of notice pages at
100,000 notices (bench/README.md, tenth session): the Django template language spent most of
a page's rendering on its per-node work (variable lookups tried as dict, attribute and index,
each tag a node object), which a compiled Jinja2 template does not do.

The functions here are the ones the Django templates used as tags and filters: the same
functions, so that both kinds of template render the same text.
"""

from django.conf import settings
from django.template import defaultfilters
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context

from documents.templatetags import chinese_script, chrome, notice_text, seo


@pass_context
def querystring(context, **changes):
    """The page's query string with ``changes`` (a value of None removes the parameter), as
    Django's ``{% querystring %}`` makes it."""
    return django_querystring(None, context["request"].GET, **changes)


def url(name, *args, **kwargs):
    """The path of the URL named ``name`` (``{% url %}``)."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def absolute_url(context, path):
    """The absolute URL of a path on this site (``seo.absolute_url``)."""
    return seo.absolute_url(context, path)


@pass_context
def canonical_url(context):
    """The page's canonical URL (``seo.canonical_url``)."""
    return seo.canonical_url(context)


@pass_context
def menu(context):
    """The category menu's markup (``category_menu`` is the list it shows)."""
    return chrome.category_menu(context)


def environment(**options):
    """The pages' environment: Django's translations, and the project's tags and filters."""
    options["undefined"] = ChainableUndefined  # a missing value shows as nothing, as in Django
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(
        url=url,
        static=static,
        querystring=querystring,
        absolute_url=absolute_url,
        canonical_url=canonical_url,
        menu=menu,
        html_lang=chinese_script.html_lang,
        get_language=get_language,
        languages=settings.LANGUAGES,
        unit_sections=notice_text.unit_sections,
        toc_list=notice_text.toc_list,
    )
    env.filters.update(
        script=chinese_script.script,
        doc_number=chinese_script.doc_number,
        paragraphs=notice_text.paragraphs,
        without_notes=notice_text.without_notes,
        notes=notice_text.notes,
        highlight=notice_text.highlight,
        marked=notice_text.marked,
        isolated=notice_text.isolated,
        inner_title_marks=seo.inner_title_marks,
        date=defaultfilters.date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
    )
    return env
