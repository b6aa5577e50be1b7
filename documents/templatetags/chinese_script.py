from django import template
from django.utils.safestring import SafeData, mark_safe

from documents import i18n

register = template.Library()


@register.filter
def script(text):
    """Notice text in the reader's script (简体 or 繁體), converted by OpenCC and cached."""
    converted = i18n.in_reader_script(text)
    # Markup already made safe (a highlighted title) stays safe: OpenCC leaves ASCII alone.
    return mark_safe(converted) if isinstance(text, SafeData) else converted


@register.simple_tag
def html_lang(language=None):
    """The ``lang`` for a language code, by default the page's: zh-Hans or zh-Hant."""
    return i18n.html_lang(language)
