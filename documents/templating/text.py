"""A notice's text on its page: paragraphs, publication notes, search marks, links to the
notices it cites, and its units and table of contents as nested sections and lists."""

from dataclasses import dataclass, field

from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from documents import i18n, search
from documents.citations import Link
from documents.models import Section
from documents.parsing.notice import is_publication_note


@dataclass
class Marks:
    """What a text gets marked with: the search terms, and links to the notices it cites."""

    terms: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def paragraphs(text):
    """Split stored text (one paragraph per line) into its non-empty paragraphs."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def without_notes(paragraphs):
    """The paragraphs, publication notes left out (shown after the signature, as printed)."""
    return [p for p in paragraphs if not is_publication_note(p)]


def notes(paragraphs):
    """The publication notes among the paragraphs: （此件公开发布）, （此件有删减）."""
    return [p for p in paragraphs if is_publication_note(p)]


def highlight(text, terms):
    """Text with the search terms marked (<mark>), or the text unchanged without terms."""
    return search.highlight(text, terms) if terms else text


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


def isolated(text):
    """Text a reader typed, shown inside a sentence: bidi-isolated (U+2068 … U+2069), so that
    a right-to-left mark in it (U+202E) cannot reverse the sentence around it."""
    return f"\u2068{text}\u2069" if text else text


# A label ending in one of these (一、 1. （一）) is set without the gap after it.
_TIGHT_ENDINGS = "、．.）)】"


def _tight(label: str) -> str:
    return " tight" if label[-1:] in _TIGHT_ENDINGS else ""


def unit_sections(units, terms):
    """The notice's units as nested <section>s: each its label (a link to itself), heading,
    paragraphs with their references linked and the search terms marked, and its children.

    Rendered here rather than by a template included per unit: a long regulation has hundreds
    of units, and an include each was most of its page's rendering time (bench/README.md)."""
    out = []
    for unit in units:
        _unit_section(unit, terms, 0, out)
    return mark_safe("".join(out))  # noqa: S308 — every text escaped in _unit_section


def _unit_section(unit, terms, depth, out):
    anchor = escape(unit.anchor)
    label = i18n.in_reader_script(unit.label)
    label_link = f'<a class="unit-label{_tight(label)}" href="#{anchor}">{escape(label)}</a>'
    out.append(f'<section id="{anchor}" class="unit unit-{escape(unit.kind)}">')
    paragraphs_html = [
        conditional_escape(marked(p, unit.marks))
        for p in paragraphs(i18n.in_reader_script(unit.text))
    ]
    if unit.heading:
        level = min(3 + depth, 6)  # h3 … h6 under the document's h2
        heading = i18n.in_reader_script(unit.heading)
        name = gettext("链接到此条：%(label)s%(heading)s") % {"label": label, "heading": heading}
        out.append(
            f'<h{level} class="unit-heading">{label_link}'
            f"{conditional_escape(highlight(heading, terms))}"
            f'<a class="unit-link" href="#{anchor}" aria-label="{escape(name)}">¶</a></h{level}>'
        )
        out.extend(f"<p>{p}</p>" for p in paragraphs_html)
    else:
        name = gettext("链接到此条：%(label)s") % {"label": label}
        self_link = f'<a class="unit-link" href="#{anchor}" aria-label="{escape(name)}">¶</a>'
        first, *rest = paragraphs_html or [""]
        out.append(f"<p>{label_link}{first}{self_link}</p>")
        out.extend(f"<p>{p}</p>" for p in rest)
    for child in unit.child_units:
        _unit_section(child, terms, depth + 1, out)
    out.append("</section>")


def toc_list(units, with_articles):
    """The 目录: nested lists of links to the units, chapters and numbered sections down to
    articles when ``with_articles`` (a regulation without chapters), never items; a unit that
    holds the search terms is marked for sight and for screen readers."""
    out = []
    _toc_level(units, with_articles, out)
    return mark_safe("".join(out))  # noqa: S308 — every text escaped in _toc_level


def _toc_level(nodes, with_articles, out):
    out.append("<ol>")
    for node in nodes:
        if node.kind == Section.Kind.ITEM or (
            node.kind == Section.Kind.ARTICLE and not with_articles
        ):
            continue
        label = i18n.in_reader_script(node.label)
        hit = ' class="hit"' if node.is_hit else ""
        out.append(
            f'<li{hit}><a href="#{escape(node.anchor)}">'
            f'<span class="toc-label{_tight(label)}">'
            f"{escape(label)}</span>{escape(i18n.in_reader_script(node.heading))}"
        )
        if node.is_hit:
            note = gettext("（含检索词）")
            out.append(f'<span class="visually-hidden">{escape(note)}</span>')
        out.append("</a>")
        if node.child_units:
            _toc_level(node.child_units, with_articles, out)
        out.append("</li>")
    out.append("</ol>")
