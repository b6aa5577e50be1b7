"""However an editor copied a notice, it parses the same: the paste-style invariance property.

Every document of the development corpus (/work/shared/corpus: 46 gov.cn pages, their plain
copies, 6 regulations, 4 traditional conversions; copied into tests/data/corpus/) is turned
into the text a browser or word processor gives when it is copied in another way, and must
parse to the same fields and units as the document itself.
"""

from pathlib import Path

import pytest

from documents.parsing import parse_notice
from documents.parsing.html import html_to_text

CORPUS = Path(__file__).parent / "data" / "corpus"
DOCUMENTS = sorted(CORPUS.iterdir())


def lines_joined(separator: str):
    return lambda text: separator.join(text.split("\n"))


STYLES = {
    # Browsers and word processors copy a paragraph as a line and an empty line.
    "empty line after every paragraph": lines_joined("\n\n"),
    "Windows line ends": lines_joined("\r\n"),
    "empty lines, Windows line ends": lines_joined("\r\n\r\n"),
    # A page's empty paragraphs (<p>&nbsp;</p>) copy as a line holding a no-break space.
    "lines of a no-break space between paragraphs": lines_joined("\n\u00a0\n"),
    "spaces at the ends of lines": lines_joined("  \n"),
    # A forum repost: anti-copy strings after some lines and on lines of their own.
    "anti-copy strings of a forum repost": lambda text: "\n".join(
        f"{line} {JUNK[n % len(JUNK)]}" if n % 3 == 1 else line
        for n, line in enumerate(text.split("\n"))
    ).replace("\n\n", "\nqW8eR4tY1uX\n\n"),
    # A notice reposted on a local government's site, copied with the page around it.
    "site chrome before and after": lambda text: SITE_TOP + text + SITE_BOTTOM,
}
JUNK = ["aZ3kQ9xPm", "Tq7Wv2Lr9s", "k8JdX3pQ2z"]
SITE_TOP = (
    "无障碍 | 适老化模式\n设为首页 | 加入收藏\n当前位置：首页 > 政务公开 > 政策文件\n"
    "【字体：大 中 小】【打印】\n"
)
SITE_BOTTOM = (
    "\n上一条：关于做好春节期间安全工作的通知\n下一条：关于开展安全检查的通知\n"
    "【打印本页】【关闭窗口】\n"
    "主办：某某市人民政府办公室  京ICP备12345678号  网站标识码1100000000\n"
)


def copied_text(path: Path) -> str:
    """The document as a plain copy: a page's text as the parser reads it, a text as it is."""
    text = path.read_text(encoding="utf-8")
    return html_to_text(text) if path.suffix == ".html" else text


def fields(parsed) -> dict:
    everything = parsed.to_dict()
    everything.pop("warnings")
    return everything


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_every_paste_style_parses_like_the_document(path, style):
    expected = fields(parse_notice(path.read_text(encoding="utf-8")))
    assert expected["title"]  # a real parse to compare with
    assert fields(parse_notice(STYLES[style](copied_text(path)))) == expected
