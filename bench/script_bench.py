"""简体/繁體 benchmark: a 60-unit notice's page in either script, with and without the cache.

    .venv/bin/python bench/script_bench.py [--units 60] [--runs 50]

Builds a throwaway SQLite database in a temporary folder, stores one published notice of
--units units whose text is taken from the seed (traditional script, about 130 characters a
unit), and times ``GET /notices/<id>/`` through django.test.Client four ways: 简体 and 繁體, each
with the per-string conversion cache warm (every view after the first) and cold (the cache
cleared before every view, i.e. the whole text converted on every view, as without a cache).
Prints the median and p95 in milliseconds of CPU time (process time: the client and the view
run in this process, and CPU time is steady on a busy machine where wall time is not).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="policyhub-script-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from documents import i18n
    from documents.models import Notice, Section
    from documents.parsing import parse_notice
    from documents.services import assign_anchors, import_notice, index_notices

    setup_test_environment()
    call_command("migrate", verbosity=0)
    seed = parse_notice((ROOT / "tests/data/notice-fagai-diqu-2016-1771.txt").read_text())
    notice = import_notice(parsed=seed, status=Notice.Status.PUBLISHED).notice
    texts = [unit for unit in notice.sections.all() if unit.text]
    notice.sections.all().delete()
    units = [
        Section(
            notice=notice,
            kind=Section.Kind.SECTION,
            label=f"({i})",
            number=i,
            heading=texts[i % len(texts)].heading,
            text=texts[i % len(texts)].text,
            position=i,
        )
        for i in range(1, args.units + 1)
    ]
    assign_anchors(units)
    Section.objects.bulk_create(units)
    index_notices([notice.pk])
    characters = sum(len(u.heading) + len(u.text) for u in units) + len(notice.preamble)
    url = notice.get_absolute_url()

    def views(language, cold):
        client = Client()
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        client.get(url)  # templates compiled, jieba loaded, cache warm
        times = []
        for _ in range(args.runs):
            if cold:
                i18n.show_traditional.cache_clear()
                i18n.show_simplified.cache_clear()
            start = time.process_time()
            assert client.get(url).status_code == 200
            times.append((time.process_time() - start) * 1000)
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.95) - 1]

    print(f"notice: {args.units} units, {characters} characters; {args.runs} views each")
    print(f"{'script':8} {'cache':6} {'median ms':>10} {'p95 ms':>8}")
    results = {}
    for language in ("zh-hans", "zh-hant"):
        for cold in (True, False):
            median, p95 = views(language, cold)
            results[language, cold] = median
            print(f"{language:8} {'cold' if cold else 'warm':6} {median:10.1f} {p95:8.1f}")
    for language in ("zh-hans", "zh-hant"):
        saved = results[language, True] - results[language, False]
        print(f"{language}: the cache saves {saved:.1f} ms a view")

    # The conversion alone: every string the page converts, cold and warm.
    strings = [notice.title, notice.preamble, notice.body_title, notice.body_intro]
    strings += [text for u in units for text in (u.label, u.heading, u.text)]
    for language in ("zh-hans", "zh-hant"):
        cold, warm = [], []
        for _ in range(args.runs):
            i18n.show_traditional.cache_clear()
            i18n.show_simplified.cache_clear()
            for bucket in (cold, warm):
                start = time.process_time()
                for text in strings:
                    i18n.in_reader_script(text, language)
                bucket.append((time.process_time() - start) * 1000)
        print(
            f"{language}: converting the page's {len(strings)} strings takes "
            f"{statistics.median(cold):.1f} ms, from the cache {statistics.median(warm):.2f} ms"
        )


if __name__ == "__main__":
    main()
