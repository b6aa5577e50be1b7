"""Text in the reader's script (简体 or 繁體) and the page's language tag."""

from django.utils.safestring import mark_safe

from documents import i18n
from documents.parsing.docnumber import official_doc_number


def script(text):
    """Notice text as a reader sees it: in their script (简体 or 繁體, by OpenCC), Chinese
    sentences' punctuation full-width; converted once per string and cached."""
    converted = i18n.in_reader_script(text)
    # Markup already made safe (a highlighted title) stays safe: OpenCC leaves ASCII alone.
    return mark_safe(converted) if hasattr(text, "__html__") else converted


def doc_number(text):
    """A document number (发文字号) in its official form and the reader's script: 发改地区〔2016〕
    1771号 on a 简体 page, 發改地區〔2016〕1771號 on a 繁體 one, whatever the brackets it was
    stored with (the stored form is the notice's 原文)."""
    return i18n.in_reader_script(official_doc_number(text)) if text else text


def html_lang(language=None):
    """The ``lang`` for a language code, by default the page's: zh-Hans or zh-Hant."""
    return i18n.html_lang(language)
