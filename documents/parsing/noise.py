"""Scraping noise: what a scraped or pasted page adds to a notice, and nothing else.

Removed here: pinyin glosses (地(di)區), stock tickers ((000061,股吧)), spaces that PDF line
breaks leave between Chinese characters, the category menu, page chrome (breadcrumbs, 扫一扫,
上一条/下一条, 打印/关闭), duplicated date lines and the related-articles trailer. Text in
parentheses that is not pinyin — 歐美國家(地區), (城市), (試點) — is body text and stays.
"""

import re

from .dates import is_date_line
from .script import to_simplified

# CJK ideographs, CJK punctuation and full-width forms; U+3000 itself is left out because it is
# deliberate alignment (名单 columns, 国务院　中央军委), not a stray space.
CJK = "\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2018-\u201d\u2026\u2014"
_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Spaces (ASCII or no-break) with CJK on one side and CJK or a digit on the other.
# Also after ASCII punctuation typed inside Chinese text: 政策指導, 加快 → 政策指導,加快.
_STRAY_SPACE = re.compile(
    rf"(?<=[{CJK}])[ \u00a0]+(?=[{CJK}0-9])|(?<=[{CJK}0-9])[ \u00a0]+(?=[{CJK}])"
    rf"|(?<=[{CJK}][,;:!?])[ \u00a0]+(?=[{CJK}])"
    # and inside ASCII brackets and before ASCII punctuation: (四 ) → (四), 地区 , → 地区,
    rf"|(?<=[{CJK}])[ \u00a0]+(?=[)\],;:!?])|(?<=[(\[])[ \u00a0]+(?=[{CJK}])"
)

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_VOWEL = f"aeiouv{_TONED}"
# One pinyin syllable: optional initial, vowels, optional nasal/retroflex ending.
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[{_VOWEL}]{{1,4}}(?:ng|n|r)?[1-5]?"
# A lone a/e/o or roman numerals like (ii) are list markers far more often than glosses.
_PINYIN_GLOSS = re.compile(
    rf"(?<=[{_IDEOGRAPH}])[(（](?!(?:[aeo]|[ivx]{{1,4}})[)）])(?:{_SYLLABLE})[)）]"
)
_STOCK_TICKER = re.compile(r"[(（]\s*\d{6}\s*[,，]\s*股吧\s*[)）]")

# Whole lines of page chrome, matched on the simplified line with its spaces removed.
_CHROME = re.compile(
    r"^(?:"
    r"(?:首页|当前位置|您现在的位置|你的位置|您的位置)(?:[:：>＞»›/].*)?"
    r"|扫一扫在手机打开当前页|扫一扫|手机扫一扫"
    r"|(?:上一条|下一条|上一篇|下一篇)(?:[:：].*)?"
    r"|(?:[【\[]?(?:打印|打印本页|我要打印|关闭|关闭窗口|收藏|分享|返回顶部)[】\]]?)+"
    r"|[【\[]?字体[:：]?[大中小]*[】\]]?(?:[【\[]?(?:打印|关闭|关闭窗口)[】\]]?)*"
    r"|分享到[:：]?.{0,30}"
    r"|(?:责任编辑|编辑)[:：].{0,20}"
    r")$"
)
# Site tools in a bar of their own (无障碍 | 适老化模式, 设为首页 | 加入收藏): chrome when every
# item of the line is one of them.
_TOOL_WORDS = frozenset(
    "无障碍 无障碍浏览 适老化 适老化模式 长者模式 关怀版 关怀模式 设为首页 加入收藏 收藏本站 "
    "网站地图 网站导航 简体 繁体 繁體 简体版 繁体版 english 手机版 移动版 登录 注册 个人登录 "
    "法人登录 智能问答 邮箱 读屏 大字版 退出".split()
)
_TOOL_SEPARATORS = re.compile(r"[|｜丨/·\s]+")
# A site's footer: words no notice's text holds.
_FOOTER = re.compile(
    r"icp备|公网安备|网站标识码|版权所有|copyright|©|主办[:：].*(?:承办|技术支持|运维|维护)[:：]"
)
_BREADCRUMB = re.compile(r"^[^。，,]{0,40}(?:[>＞»›].{0,20}){2,}$")
_TRAILER = re.compile(r"^(?:相关文章推荐|相关文章|相关阅读|相关链接|相关新闻|相关稿件)[:：]?$")
_MENU_ITEM = re.compile(r"^\s*[-*•·]\s+\S")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SPACE_ENTITY = re.compile(r"&(?:nbsp|sp|ensp|emsp|thinsp);")


def fold(text: str) -> str:
    """A simplified-script copy for keyword matching, aligned character for character."""
    folded = to_simplified(text)
    if len(folded) == len(text):
        return folded
    # OpenCC converted a phrase to a different length; fall back to single characters so that
    # offsets found in the folded copy still point into the text as written.
    chars = []
    for ch in text:
        one = to_simplified(ch)
        chars.append(one if len(one) == 1 else ch)
    return "".join(chars)


def remove_inline_noise(line: str) -> str:
    """Drop pinyin glosses, stock tickers and anti-copy strings, then the stray spaces between
    CJK characters."""
    line = _PINYIN_GLOSS.sub("", line)
    line = _STOCK_TICKER.sub("", line)
    line = _SPACED_TOKEN.sub(lambda m: "" if _is_anti_copy(m[1]) else m[0], line)
    return _STRAY_SPACE.sub("", line)


# Forum reposts scatter random strings through a text against copying (请认真做好工作。 aZ3kQ9x):
# letters of both cases and digits, alternating often, standing apart after a space or alone.
_SPACED_TOKEN = re.compile(r"(?:(?<=\s)|^)([A-Za-z0-9]{6,16})(?=\s|$)")
_CHAR_CLASS = re.compile(r"[a-z]+|[A-Z]+|[0-9]+")


def _is_anti_copy(token: str) -> bool:
    runs = _CHAR_CLASS.findall(token)
    classes = {("a" if r.islower() else "A" if r.isupper() else "0") for r in runs}
    return classes == {"a", "A", "0"} and len(runs) >= 6


def compacted(line: str) -> str:
    """The folded line without any space (目  录 → 目录), for matching whole-line patterns."""
    return re.sub(r"[\s\u00a0\u3000]+", "", fold(line))


def is_chrome(line: str) -> bool:
    """True for a line of page furniture (breadcrumb, print/close links, QR prompt)."""
    compact = compacted(line)
    if not compact:
        return False
    # A breadcrumb's separators are > or », not the ends of tags a text may quote (<b>规范</b>).
    breadcrumb = _BREADCRUMB.match(compact) and len(compact) < 80 and "<" not in compact
    tools = [item for item in _TOOL_SEPARATORS.split(fold(line).lower()) if item]
    toolbar = bool(tools) and all(item in _TOOL_WORDS for item in tools)
    footer = len(compact) < 120 and _FOOTER.search(compact.lower())
    return bool(_CHROME.match(compact) or breadcrumb or toolbar or footer)


def is_trailer(line: str) -> bool:
    """True for the heading of a related-articles list that ends a scraped page."""
    return bool(_TRAILER.match(re.sub(r"\s+", "", fold(line))))


def clean_lines(text: str) -> list[str]:
    """Split text into lines with noise removed; blank lines are kept as "" separators."""
    text = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Pasted pages keep literal space entities, sometimes mangled (&amp;sp; renders as &sp;).
    text = _SPACE_ENTITY.sub("\u00a0", text)
    raw = _without_paragraph_gaps(text.split("\n"))
    out: list[str] = []
    seen_content = False
    for line in raw:
        stripped = line.strip()
        if not seen_content and _MENU_ITEM.match(stripped):
            continue  # the site's category menu, pasted above the notice
        cleaned = remove_inline_noise(stripped).strip()
        if cleaned and is_trailer(cleaned):
            break  # related articles: other notices' titles, not this one's text
        if cleaned and is_chrome(cleaned):
            continue
        if cleaned:
            seen_content = True
        if is_date_line(cleaned) and out and _last_content(out) == cleaned:
            continue  # the signature date repeated by the scraper
        if not cleaned and (not out or out[-1] == ""):
            continue
        out.append(cleaned)
    while out and out[-1] == "":
        out.pop()
    return out


def _without_paragraph_gaps(raw: list[str]) -> list[str]:
    """Lines copied with an empty line after every paragraph (as browsers and word processors
    copy a page) as the same lines without them: the title's lines, the doc number and the
    addressees then follow each other as in a plain copy. A longer gap stays one empty line.
    Text that has empty lines only here and there is returned as it is."""
    gaps, run, seen = [], 0, False
    for line in raw:
        if line.strip():
            if seen:
                gaps.append(run)
            seen, run = True, 0
        else:
            run += 1
    if not gaps or sum(1 for gap in gaps if gap) * 2 < len(gaps):
        return raw
    out, run = [], 0
    for line in raw:
        if line.strip():
            if run > 1 and out:
                out.append("")
            out.append(line)
            run = 0
        else:
            run += 1
    return out


def _last_content(lines: list[str]) -> str:
    for line in reversed(lines):
        if line:
            return line
    return ""
