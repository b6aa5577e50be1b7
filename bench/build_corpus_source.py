"""Build documents/corpus_source/policy_texts.jsonl from real notices (run once, by hand).

The corpus generator must run on a clean clone, so it reads a compact extract committed with the
app rather than the development corpus itself. Each line is one real document, parsed by
PolicyHub's own parser and reduced to what the generator samples: title, issuing bodies, doc
number, addressees, preamble paragraphs and the unit tree (label kinds, headings, texts).

    .venv/bin/python bench/build_corpus_source.py /work/shared/corpus documents/sample_data
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from documents.parsing import parse_notice, to_simplified  # noqa: E402
from documents.textfiles import read_text  # noqa: E402

OUTPUT = ROOT / "documents" / "corpus_source" / "policy_texts.jsonl"
SUFFIXES = {".html", ".md", ".txt"}


def unit_dict(unit):
    out = {"kind": unit.kind, "heading": unit.heading, "text": unit.text}
    if unit.children:
        out["children"] = [unit_dict(child) for child in unit.children]
    return out


def sources(folders):
    """Real documents, one file each: HTML or Markdown preferred over a plain-text copy."""
    chosen = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix not in SUFFIXES or path.name.startswith("README"):
                continue
            if "zh-hant" in path.name or "traditional" in path.parts:
                continue
            stem = path.stem
            if stem not in chosen or path.suffix != ".txt":
                chosen[stem] = path
    return [chosen[stem] for stem in sorted(chosen)]


def main(folders):
    lines = []
    for path in sources(folders):
        parsed = parse_notice(read_text(path))
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        record = {
            "source": path.name,
            "title": meta.get("title") or parsed.title,
            "issuing_bodies": parsed.issuing_bodies,
            "doc_number": meta.get("doc_number") or parsed.doc_number,
            "addressees": parsed.addressees,
            "preamble": [p for p in (parsed.preamble + "\n" + parsed.body_intro).split("\n") if p],
            "units": [unit_dict(unit) for unit in parsed.units],
        }
        # The generator writes simplified text; the traditional-script sample is folded here.
        lines.append(to_simplified(json.dumps(record, ensure_ascii=False)))
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} documents → {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/work/shared/corpus", str(ROOT / "documents" / "sample_data")])
