from django import template

from documents import search
from documents.parsing.notice import is_publication_note

register = template.Library()


@register.filter
def paragraphs(text):
    """Split stored text (one paragraph per line) into its non-empty paragraphs."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def without_notes(paragraphs):
    """The paragraphs, publication notes left out (shown after the signature, as printed)."""
    return [p for p in paragraphs if not is_publication_note(p)]


@register.filter
def notes(paragraphs):
    """The publication notes among the paragraphs: （此件公开发布）, （此件有删减）."""
    return [p for p in paragraphs if is_publication_note(p)]


@register.filter
def heading_level(depth):
    """HTML heading level for a unit at this tree depth under the document's h2: h3 … h6."""
    return min(3 + int(depth), 6)


@register.filter
def highlight(text, terms):
    """Text with the search terms marked (<mark>), or the text unchanged without terms."""
    return search.highlight(text, terms) if terms else text


@register.filter
def isolated(text):
    """Text a reader typed, shown inside a sentence: bidi-isolated (U+2068 … U+2069), so that
    a right-to-left mark in it (U+202E) cannot reverse the sentence around it."""
    return f"\u2068{text}\u2069" if text else text
