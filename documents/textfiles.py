"""Reading the files that editors import: text in UTF-8 or the GB18030 (GBK) and Big5 that
Chinese sites and offices still use, web pages, Word documents (.docx) and PDFs with a text
layer. Each becomes the text the parser reads, and whether that text is a web page's source."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

# GB18030 is a superset of GBK and GB2312; Big5 is Taiwan's and Hong Kong's.
LEGACY_ENCODINGS = ["gb18030", "big5"]
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (".txt", ".md", *HTML_SUFFIXES, ".docx", ".pdf")


class UndecodableText(ValueError):
    pass


@dataclass
class ImportedText:
    text: str
    html: bool  # the text is a web page's source


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


def read_document(name: str, data: bytes) -> ImportedText:
    """The text of a file by its kind (its name's suffix), or UndecodableText saying why not."""
    suffix = Path(str(name)).suffix.lower()
    if suffix == ".docx":
        return ImportedText(_docx_text(data), html=False)
    if suffix == ".pdf":
        return ImportedText(_pdf_text(data), html=False)
    return ImportedText(decode_text(data), html=is_html_file(name))


def read_file(path: Path) -> ImportedText:
    return read_document(Path(path).name, Path(path).read_bytes())


def read_text(path: Path) -> str:
    return decode_text(Path(path).read_bytes())


def is_html_file(name: str) -> bool:
    """Whether a file is a web page by its name; any other file is text, whatever it holds."""
    return str(name).lower().endswith(HTML_SUFFIXES)


def _docx_text(data: bytes) -> str:
    """A Word document's paragraphs, a line each, and its tables, a row a line (cells by TAB),
    in the order of the document."""
    from docx import Document  # python-docx; only an import of a .docx needs it

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UndecodableText("无法读取这个 .docx 文件（文件损坏，或不是 Word 文档）") from error
    lines = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(
                "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            )
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(n.text or "" for n in cell.iter() if n.tag.endswith("}t"))
                        for cell in row
                        if cell.tag.endswith("}tc")
                    ]
                    lines.append("\t".join(cells))
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page after page; a PDF without one (a scan) is refused."""
    from pypdf import PdfReader  # only an import of a PDF needs it
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise UndecodableText("无法读取这个 PDF 文件（文件损坏或加密）") from error
    text = "\n".join(pages)
    if sum(1 for char in text if "\u4e00" <= char <= "\u9fff") < 10:
        raise UndecodableText(
            "这个 PDF 没有可用的文字层（可能是扫描件）：请先做文字识别（OCR），或粘贴全文"
        )
    return text
