"""Reading the text files that editors import: UTF-8, or the GB18030 (GBK) and Big5 that
Chinese sites and offices still use."""

from pathlib import Path

from charset_normalizer import from_bytes

# GB18030 is a superset of GBK and GB2312; Big5 is Taiwan's and Hong Kong's.
LEGACY_ENCODINGS = ["gb18030", "big5"]
HTML_SUFFIXES = (".html", ".htm")


class UndecodableText(ValueError):
    pass


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8, else as GB18030 or Big5, whichever reads as Chinese text (Big5
    bytes often decode as GB18030 without an error, into nonsense), or raise UndecodableText
    with a readable message."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise UndecodableText("无法识别文件编码（需要 UTF-8、GB18030 或 Big5）")
    return str(best)


def read_text(path: Path) -> str:
    return decode_text(Path(path).read_bytes())


def is_html_file(name: str) -> bool:
    """Whether a file is a web page by its name; any other file is text, whatever it holds."""
    return str(name).lower().endswith(HTML_SUFFIXES)
