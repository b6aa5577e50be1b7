"""Chinese full-text search, the parts that need no database: words, queries, snippets.

Chinese has no spaces between words and readers type either script. Text and queries alike are
folded to simplified script (OpenCC), then cut into words by jieba in search mode, which also
emits the shorter words inside long ones (贯彻落实 → 贯彻, 落实, 贯彻落实) so that a reader's
shorter word still matches. The database side (tsvector on PostgreSQL, token text on SQLite)
is ``documents.ranking``, behind ``NoticeQuerySet.search``.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass, field

import jieba
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .parsing.docnumber import normalize_doc_number
from .parsing.script import to_simplified

jieba.setLogLevel(logging.WARNING)

# Enough for a long title typed whole (a 29-character title of the corpus has 13 words).
MAX_QUERY_WORDS = 20
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
# Kept inside words by jieba, separators to PostgreSQL's text parser: cut there, so that the
# words stored for a notice are the same in every engine (tsvector, FTS5, the search service).
_SEPARATORS = re.compile(r"[%#+&_]+")
# Words too common to narrow a query; dropped from queries (not from the index) unless alone.
QUERY_STOPWORDS = frozenset("的 了 和 与 及 或 在 是 对 等 之 于 其 为 以".split())
_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')
# A document number typed alone (after folding): 发改地区[2016]1771号, 国令第706号, or 1771号.
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{0,12}(?:\[\d{4}\])?第?\d+号$")


def load() -> None:
    """Load jieba's dictionary now (about a second), not on the first reader's query."""
    jieba.initialize()


def fold(text: str) -> str:
    """Fold text for matching: simplified script, full-width forms to ASCII, lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text or "")).lower()


def words(text: str) -> list[str]:
    """The words of a text in index order, as jieba's search mode cuts them (folded first),
    cut again where PostgreSQL's parser would (50% → 50, c++ → c, a&b → a, b)."""
    return [
        part
        for word in jieba.cut_for_search(fold(text))
        for part in _SEPARATORS.split(word)
        if _WORDLIKE.search(part)
    ]


def token_text(*texts: str) -> str:
    """Space-separated words with a space at each end, so ' 区域 ' matches a whole word."""
    tokens = [w for text in texts for w in words(text)]
    return f" {' '.join(tokens)} " if tokens else ""


@dataclass
class SearchQuery:
    """A reader's query, folded and cut: every word must match, phrases in order, minus excluded."""

    raw: str = ""
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    # The typed words (not the excluded) as the index cuts text, every shorter word included,
    # in order: what a title that holds them as typed holds at consecutive positions.
    typed: list[str] = field(default_factory=list)
    doc_number: str = ""
    doc_serial: int | None = None

    def __bool__(self):
        return bool(self.words or self.phrases or self.doc_number)

    @property
    def highlight_terms(self) -> list[str]:
        """Folded strings to mark in text, longest first so that 贯彻落实 wins over 落实."""
        terms = set(self.words) | set(self.phrases)
        return sorted(terms, key=len, reverse=True)


def parse_query(raw: str) -> SearchQuery:
    """Read a query: words (AND), "quoted phrases", -excluded words, or a document number."""
    query = SearchQuery(raw=raw)
    text = (raw or "").strip()
    if not text:
        return query
    folded_whole = normalize_doc_number(text)
    if _DOC_NUMBER.match(folded_whole):
        # Found by its number first; notices that cite the number in their text follow.
        query.doc_number = folded_whole
        serial = re.match(r"^第?(\d+)号$", folded_whole)
        if serial:
            query.doc_serial = int(serial[1])

    for match in _QUOTED.finditer(text):
        phrase = re.sub(r"\s+", "", fold(next(g for g in match.groups() if g is not None)))
        if phrase:
            query.phrases.append(phrase)
    text = _QUOTED.sub(" ", text)
    for term in text.split():
        if term.startswith("-") and len(term) > 1:
            query.excluded.extend(words(term[1:]))
        else:
            query.words.extend(_longest_words(term))
            query.typed.extend(words(term))
    for phrase in query.phrases:
        query.words.extend(_longest_words(phrase))
    unique = list(dict.fromkeys(query.words))
    meaningful = [w for w in unique if w not in QUERY_STOPWORDS]
    query.words = (meaningful or unique)[:MAX_QUERY_WORDS]
    query.excluded = list(dict.fromkeys(query.excluded))[:MAX_QUERY_WORDS]
    query.typed = query.typed[: 2 * MAX_QUERY_WORDS]
    return query


def _longest_words(term: str) -> list[str]:
    """The words of a typed term without those inside another of its words: search mode cuts
    首都国际机场 into 首都, 国际, 机场 and 首都国际机场, and every text that holds the long word
    holds the others too (the index was cut the same way), so they narrow nothing. Dropping
    them keeps a long title within MAX_QUERY_WORDS and leaves fewer words to rank by."""
    cut = words(term)
    return [w for w in cut if not any(w != other and w in other for other in cut)]


def highlight(text: str, terms: list[str]) -> str:
    """HTML of text with every occurrence of the folded terms wrapped in <mark>.

    Matching runs on the folded copy; OpenCC's traditional-to-simplified conversion keeps the
    length for almost all text, so positions map back onto the text as written. When it does
    not, the folded text is shown instead (still readable, still marked).
    """
    if not text:
        return ""
    folded = fold(text)
    shown = text if len(folded) == len(text) else folded
    spans = _spans(folded, terms)
    if not spans:
        return escape(shown)
    out, cursor = [], 0
    for start, end in spans:
        out.append(escape(shown[cursor:start]))
        out.append(f"<mark>{escape(shown[start:end])}</mark>")
        cursor = end
    out.append(escape(shown[cursor:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: list[str], width: int = 120, *, convert=None, folded=None) -> str:
    """A highlighted excerpt of about ``width`` characters around the densest cluster of matches.

    ``convert`` turns the text into the text shown (the reader's script): applied to the
    excerpt alone. ``folded``: the text already folded (a unit's stored search text), used
    where it is as long as the text; folding and converting whole units' text was most of a
    search page's snippets' time."""
    if not text:
        return ""
    convert = convert or (lambda part: part)
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    spans = _spans(folded, terms)
    if not spans:
        excerpt = convert(text[:width])
        return escape(excerpt + ("…" if len(text) > width else ""))
    best_start = max(
        (start for start, _ in spans),
        key=lambda s: sum(1 for a, _ in spans if s <= a < s + width),
    )
    begin = max(0, best_start - width // 4)
    end = min(len(text), begin + width)
    body = highlight(convert(text[begin:end]), terms)
    return mark_safe(("…" if begin else "") + body + ("…" if end < len(text) else ""))


def _spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the terms in folded text, in order."""
    taken = [False] * len(folded)
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        if not term:
            continue
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = folded.find(term, end)
    merged = []
    for start, end in sorted(spans):
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)  # 脱贫|攻坚 → one mark
        else:
            merged.append((start, end))
    return merged
