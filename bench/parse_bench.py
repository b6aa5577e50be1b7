"""Parser and import throughput: notices per second, parsed alone and parsed + stored.

Not a test. Reads the project's own real texts (tests/data, documents/sample_data), parses each
file --repeat times, then imports them all into a scratch database --rounds times, renaming
the doc numbers each round so that every import is a new notice (with units, categories and
the search index), and prints medians.

    .venv/bin/python bench/parse_bench.py                       # SQLite scratch file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parse_bench \\
        .venv/bin/python bench/parse_bench.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/parse-bench.sqlite3"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="parses of each file")
    parser.add_argument("--rounds", type=int, default=3, help="imports of the whole set")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from documents.models import Notice
    from documents.parsing import parse_notice
    from documents.services import import_notice
    from documents.textfiles import read_text

    files = sorted(
        p
        for folder in (ROOT / "tests" / "data", ROOT / "documents" / "sample_data")
        for p in folder.rglob("*")
        if p.suffix in {".txt", ".html", ".md"}
    )
    texts = [read_text(p) for p in files]
    chars = sum(len(t) for t in texts)
    print(f"{len(files)} files, {chars:,} characters; database {os.environ['DATABASE_URL']}")

    per_pass = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        [parse_notice(t) for t in texts]
        per_pass.append(time.perf_counter() - start)
    parse_s = statistics.median(per_pass)
    print(
        f"parse only:     {len(texts) / parse_s:8.1f} notices/s  "
        f"({chars / parse_s / 1000:,.0f}k chars/s, median of {args.repeat} passes)"
    )

    call_command("migrate", verbosity=0)
    per_round = []
    for round_number in range(args.rounds):
        start = time.perf_counter()
        for i, text in enumerate(texts):
            notice = replace(parse_notice(text), doc_number=f"测{round_number}〔2099〕{i}号")
            if not notice.issuing_bodies:
                notice = replace(notice, issuing_bodies=[f"基准测试机关{i}"])
            import_notice(parsed=notice, status=Notice.Status.PUBLISHED)
        per_round.append(time.perf_counter() - start)
    store_s = statistics.median(per_round)
    units = sum(n.sections.count() for n in Notice.objects.all()[: len(texts)])
    print(
        f"parse + store:  {len(texts) / store_s:8.1f} notices/s  "
        f"(median of {args.rounds} rounds; units, categories and search index included; "
        f"{units} units in one round)"
    )


if __name__ == "__main__":
    main()
