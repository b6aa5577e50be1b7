"""The long tail: first requests to distinct URLs, and throughput when every request is a first one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_100k \\
        .venv/bin/python bench/longtail_bench.py [--detail 300] [--seconds 15]

Readers and crawlers mostly ask for pages nobody asked for recently. Through gunicorn (2
workers, production settings, loopback), in one run against a corpus already generated:

- first after the start, with the cache empty (the server gets a cache folder of its own, made
  for the run, unless REDIS_URL is set): home, the sitemap index, a page of the notice sitemap;
- first requests: each URL asked once, in a shuffled order, timed at the client (loopback adds
  about 0.2 ms): notice pages of distinct published notices, as kept (``--kept-pages``, below)
  and as rendered (in 繁體, which the kept pages were not made for); list pages of distinct filter
  combinations (category, issuer, year); distinct deep pages of the whole list; distinct pages
  of the categories (a category and a page of it, as a reader browsing a category); search pages of
  distinct words (medium and common, drawn from the notices' own titles);
- second visits: the notice pages again, in another order (each worker answers about half of
  them, whichever made the page);
- home and the sitemap pages again after a restart of the server, with the cache as it was;
- throughput (wrk): ``/healthz``, the floor of the request cycle, then notice pages rotating
  over every published notice (so that each request is a first one until the rotation comes
  round), with their ratio.

Prints median and p95 per kind and the requests per second.

``--kept-pages DIR``: a cache folder in which ``keep_notice_pages --language zh-hans`` kept
every notice's page (``DJANGO_CACHE_DIR=DIR``), as a deployment keeps them; the run works on a
copy of it, so that home, the lists and the rest start uncached each run. Without it the
cache starts empty and every notice page is rendered at its first request.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import load_test
from common import free_port, p95, prewarm_os_cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

import django  # noqa: E402

django.setup()

from documents.models import Category, IssuingBody, Notice  # noqa: E402

PYTHON = sys.executable
# wrk's Lua: each request the next notice of the list, so each is a first one.
ROTATE = """
local ids, i = {}, 0
for line in io.lines("%s") do ids[#ids + 1] = line end
request = function()
  i = i %% #ids + 1
  return wrk.format("GET", "/notices/" .. ids[i] .. "/")
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", type=int, default=300, help="distinct notice pages")
    parser.add_argument("--lists", type=int, default=100, help="distinct filtered lists")
    parser.add_argument("--deep", type=int, default=50, help="distinct deep list pages")
    parser.add_argument(
        "--category-pages", type=int, default=100, help="distinct pages of the categories"
    )
    parser.add_argument("--searches", type=int, default=60, help="distinct search words")
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kept-pages", help="a cache folder with the notices' kept pages")
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="first read the database into the OS file cache (common.prewarm_os_cache)",
    )
    return parser.parse_args()


def urls(args, rng: random.Random) -> dict[str, list[str]]:
    published = Notice.objects.published()
    ids = list(published.values_list("id", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    bodies = list(IssuingBody.objects.values_list("slug", flat=True))
    lists = set()
    while len(lists) < args.lists:
        params = {"category": rng.choice(categories), "issuer": rng.choice(bodies)}
        if rng.random() < 0.5:
            params["year"] = rng.randint(2000, 2024)
        lists.add("/notices/?" + urllib.parse.urlencode(sorted(params.items())))
    last_page = len(ids) // 20
    deep = rng.sample(range(last_page // 2, last_page), args.deep)
    pages = {
        slug: max(1, -(-published.filter(categories__slug=slug).count() // 20))
        for slug in categories
    }
    browsing = set()
    while len(browsing) < min(args.category_pages, sum(pages.values())):
        slug = rng.choice(categories)
        browsing.add(f"/categories/{slug}/?page={rng.randint(1, pages[slug])}")
    titles = published.order_by("?").values_list("title", flat=True)[: args.searches * 4]
    words = sorted({w for t in titles for w in re.findall(r"[\u4e00-\u9fff]{2,4}", t)})
    notices = [f"/notices/{pk}/" for pk in rng.sample(ids, args.detail * 2)]
    return {
        "notice page": notices[: args.detail],
        "notice, rendered": notices[args.detail :],
        "filtered list": sorted(lists),
        "deep list page": [f"/notices/?page={page}" for page in deep],
        "category page": sorted(browsing),
        "search": [
            "/notices/?" + urllib.parse.urlencode({"q": w})
            for w in rng.sample(words, min(args.searches, len(words)))
        ],
    }


TRADITIONAL = {"Cookie": "django_language=zh-hant"}


def first_requests(port: int, paths: list[str], headers=None) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for path in paths:
        start = time.perf_counter()
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status}")
    connection.close()
    return times


def wrk(port: int, path: str, seconds: int, script: str | None = None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk {path}: {errors[1]} errors")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        env={**os.environ, "DJANGO_DEBUG": "1"},
        cwd=ROOT,
        check=True,
    )
    if args.prewarm:
        print(f"database read into the OS file cache in {prewarm_os_cache():.1f} s")
    kinds = urls(args, rng)
    ids = list(Notice.objects.published().values_list("id", flat=True))
    rng.shuffle(ids)
    port = free_port()
    cache_dir = tempfile.mkdtemp(prefix="policyhub-longtail-cache-")
    if args.kept_pages:
        started = time.monotonic()
        shutil.copytree(args.kept_pages, cache_dir, dirs_exist_ok=True)
        kept = len(os.listdir(cache_dir))
        print(
            f"{kept} kept pages copied from {args.kept_pages} in {time.monotonic() - started:.0f} s"
        )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "longtail-bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_CACHE_DIR": cache_dir,
    }

    def start():
        return load_test.start_gunicorn(
            argparse.Namespace(port=port, workers=args.workers, timeout=30, backlog=128),
            env,
            probe="/healthz",  # (not home: its first request is timed)
        )

    def first_after_start(heading):
        print(f"{heading:24} {'ms':>8}")
        for path in ("/", "/sitemap.xml", "/sitemap-notices.xml?p=2"):
            print(f"{path:24} {first_requests(port, [path])[0]:8.1f}")

    server = start()
    try:
        print(f"{len(ids)} published notices; gunicorn, {args.workers} workers, DEBUG=0")
        first_after_start("first after start")
        print(f"\n{'first requests':18} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
        second = rng.sample(kinds["notice page"], len(kinds["notice page"]))
        for kind, paths in [*kinds.items(), ("second visit", second)]:
            times = first_requests(port, paths, TRADITIONAL if kind == "notice, rendered" else None)
            median = sorted(times)[len(times) // 2]
            print(f"{kind:18} {len(times):>4} {median:8.1f} {p95(times):8.1f}")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as id_file:
            id_file.write("\n".join(map(str, ids)))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(ROTATE % id_file.name)
        healthz = wrk(port, "/healthz", args.seconds)
        rotating = wrk(port, "/", args.seconds, script=lua.name)
        print(f"\nwrk, 16 connections, {args.seconds} s each, same server:")
        print(f"  /healthz                          {healthz:8.0f} req/s")
        print(
            f"  notice pages, rotating over all   {rotating:8.0f} req/s"
            f"  ({rotating / healthz:.1%} of /healthz)"
        )
        server.terminate()
        server.wait(timeout=30)
        server = start()  # the cache as the run left it, as after a deployment's restart
        print()
        first_after_start("first after a restart")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["DJANGO_CACHE_DIR"])


if __name__ == "__main__":
    main()
