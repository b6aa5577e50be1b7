from dataclasses import dataclass, field

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from documents import i18n, search
from documents.citations import Link
from documents.parsing.notice import is_publication_note

register = template.Library()


@dataclass
class Marks:
    """What a text gets marked with: the search terms, and links to the notices it cites."""

    terms: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


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
def marked(text, marks):
    """Text (in the reader's script) with each reference to an archived notice linked to the
    notice's page, and the search terms marked."""
    terms = marks.terms if marks else []
    links = marks.links if marks else []
    if not links:
        return highlight(text, terms)
    folded = search.fold(text)
    shown = text if len(folded) == len(text) else folded
    spans = []
    for link in links:
        start = folded.find(link.key)
        while start != -1 and link.key:
            end = start + len(link.key)
            if not any(a < end and start < b for a, b, _ in spans):
                spans.append((start, end, link))
            start = folded.find(link.key, end)

    def plain(part):
        return search.highlight(part, terms) if terms else escape(part)

    out, cursor = [], 0
    for start, end, link in sorted(spans, key=lambda span: span[0]):
        out.append(plain(shown[cursor:start]))
        out.append(
            format_html(
                '<a class="reference" href="{}" title="{}">{}</a>',
                link.url,
                i18n.in_reader_script(link.title),
                plain(shown[start:end]),
            )
        )
        cursor = end
    out.append(plain(shown[cursor:]))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 — each part escaped


@register.filter
def isolated(text):
    """Text a reader typed, shown inside a sentence: bidi-isolated (U+2068 … U+2069), so that
    a right-to-left mark in it (U+202E) cannot reverse the sentence around it."""
    return f"\u2068{text}\u2069" if text else text
