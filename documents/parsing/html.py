"""HTML to paragraph lines, the way a reader's copy-and-paste of the rendered page reads.

Policy pages put the whole body in one layout table cell; real data tables (several cells in a
row) become one line per row with TAB-separated cells. Entities are decoded, so ``&nbsp;`` turns
into U+00A0 and is left for the noise filter to trim.
"""

import re
from html.parser import HTMLParser

_HTML_HINT = re.compile(
    r"<\s*/?\s*(p|div|br|span|td|tr|tbody|table|html|body|h[1-6]|li|font|strong|b)\b[^>]*>", re.I
)
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "section",
    "article",
    "blockquote",
    "pre",
    "header",
    "footer",
    "dl",
    "dt",
    "dd",
    "hr",
    "caption",
    "center",
    "form",
    "nav",
    "aside",
    "main",
    "figure",
}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_SKIP = {"script", "style", "head", "title", "noscript", "template"}
# A saved page's furniture: menus, sidebars, footers and the controls of its forms.
_SKIP |= {"nav", "aside", "footer", "button", "select", "option", "textarea", "iframe"}
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def looks_like_html(text: str) -> bool:
    """True when the text carries block or inline markup worth stripping."""
    return len(_HTML_HINT.findall(text[:20000])) >= 2


class _Node:
    __slots__ = ("tag", "children")

    def __init__(self, tag: str):
        self.tag = tag
        self.children: list = []  # _Node or str


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: stray end tags are ignored, unclosed tags close with parents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag.lower())
        self.stack[-1].children.append(node)
        if node.tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag.lower()))

    def handle_endtag(self, tag):
        tag = tag.lower()
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _is_data_table(table: _Node) -> bool:
    """A table with a row of two or more cells holds data; others are layout containers."""
    for row in _rows(table):
        if sum(1 for c in row.children if isinstance(c, _Node) and c.tag in ("td", "th")) > 1:
            return True
    return False


def _rows(table: _Node):
    for child in table.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                yield child
            elif child.tag in ("tbody", "thead", "tfoot"):
                yield from _rows(child)


class _Renderer:
    def __init__(self):
        self.lines: list[str] = []
        self.current: list[str] = []

    def flush(self, force: bool = False):
        text = "".join(self.current)
        if force or text.strip(" "):
            self.lines.append(text)
        self.current = []

    def render(self, node: _Node):
        for child in node.children:
            if isinstance(child, str):
                self.current.append(_ASCII_SPACE.sub(" ", child))
                continue
            if child.tag in _SKIP:
                continue
            if child.tag == "br":
                self.flush(force=True)
            elif child.tag == "table" and _is_data_table(child):
                self.flush()
                for row in _rows(child):
                    cells = [
                        _inline_text(c)
                        for c in row.children
                        if isinstance(c, _Node) and c.tag in ("td", "th")
                    ]
                    self.lines.append("\t".join(cells))
            elif child.tag in _BLOCK and _is_link_list(child):
                continue  # a menu, a breadcrumb, a list of other pages
            elif child.tag in _BLOCK or child.tag in ("td", "th"):
                self.flush()
                before = len(self.lines)
                self.render(child)
                self.flush()
                if child.tag == "p" and len(self.lines) == before:
                    self.lines.append("")  # an empty paragraph reads as an empty line
            else:
                self.render(child)


def _text_of(node: _Node, in_link: bool = False) -> tuple[int, int, int]:
    """(characters, characters inside links, links) of a node's text, spaces aside."""
    chars = linked = links = 0
    for child in node.children:
        if isinstance(child, str):
            size = len(child.split()) and len("".join(child.split()))
            chars += size
            linked += size if in_link else 0
        elif child.tag not in _SKIP:
            inner = _text_of(child, in_link or child.tag == "a")
            chars, linked = chars + inner[0], linked + inner[1]
            links += inner[2] + (child.tag == "a")
    return chars, linked, links


def _is_link_list(node: _Node) -> bool:
    """A block that is mostly links, three or more: a site's menu, breadcrumb or list of other
    notices. A notice's own list of attached files (附件) or a sentence is never one."""
    chars, linked, links = _text_of(node)
    if links < 3 or linked < 0.6 * chars:
        return False
    text = _inline_text(node)
    return "附件" not in text and "。" not in text


def _inline_text(node: _Node) -> str:
    """A table cell's text: its paragraphs joined with a space, as a browser copy gives it."""
    renderer = _Renderer()
    renderer.render(node)
    renderer.flush()
    parts = [_ASCII_SPACE.sub(" ", line).strip(" ") for line in renderer.lines]
    return " ".join(p for p in parts if p)


def html_to_text(markup: str) -> str:
    """Render HTML (a whole page or a fragment) to plain text, one line per paragraph."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    renderer = _Renderer()
    renderer.render(builder.root)
    renderer.flush()
    lines = [line.strip(" ") for line in renderer.lines]
    out: list[str] = []
    for line in lines:
        # One empty line at most between paragraphs, as a pasted page reads.
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
