"""Fill the database with realistic synthetic notices (documents.synthetic), fast, search
index included.

Speed: jieba segmentation (~650k characters a second) is the bottleneck, so it runs in a pool
of worker processes while this process samples the next batch and writes the previous one.
Workers never touch the database: they get plain data and return the search fields computed
by ``services.fill_search_fields``, so rows are inserted once, index text included; PostgreSQL
then builds the batch's tsvectors in one UPDATE.
"""

import multiprocessing
import os
import random
import time
from collections import deque

import jieba
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction

from documents import search
from documents.models import Category, CoIssuer, IssuingBody, Notice, NoticeViews, Section
from documents.services import assign_anchors, fill_search_fields, update_search_vectors
from documents.synthetic import ISSUERS, SOURCE, NoticeSynthesizer, TextSource


def _attach(instance, name: str, objects: list) -> None:
    """Make ``instance.<name>.all()`` return these objects without a query (as prefetch does)."""
    cached = getattr(type(instance), name).rel.related_model.objects.none()
    cached._result_cache = list(objects)
    cached._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached


def _search_fields(spec: dict):
    """The search fields of a notice spec and of each of its units, by fill_search_fields."""
    notice = Notice(pk=1, **spec["fields"])
    notice.fold_keys()
    (lead_pk, lead_name), *joint = spec["bodies"]
    notice.lead_issuer = IssuingBody(pk=lead_pk, name=lead_name)
    links = [
        CoIssuer(notice=notice, body=IssuingBody(pk=pk, name=name), position=position)
        for position, (pk, name) in enumerate(joint, start=1)
    ]
    units = [
        Section(notice=notice, label=label, heading=heading, text=text)
        for _, _, label, _, heading, text in spec["units"]
    ]
    _attach(notice, "co_issuer_links", links)
    _attach(notice, "sections", units)
    fill_search_fields(notice)
    fields = (notice.search_title, notice.search_headings, notice.search_body, notice.search_text)
    return fields, [unit.search_text for unit in units]


def start_worker() -> None:
    """Pool initializer: jieba loaded once, and its segmentation memoized clause by clause.

    Generated text is built from a few thousand real sentences, so the same clauses recur
    millions of times. jieba cuts each run of word characters between punctuation marks on its
    own, so the words of a text are the words of its runs, in order: remembering each run's
    words gives exactly the same index text, several times faster. Only the generator's worker
    processes are patched.
    """
    search.load()
    cut_for_search = jieba.cut_for_search
    split_runs = jieba.re_han_default.split
    cache = {}

    def cached_cut_for_search(text, HMM=True):  # noqa: N803 — jieba's own keyword
        for run in split_runs(text):
            words = cache.get(run)
            if words is None:
                words = cache[run] = tuple(cut_for_search(run, HMM=HMM))
            yield from words

    jieba.cut_for_search = cached_cut_for_search


def segment_batch(specs: list[dict]) -> list[tuple]:
    """Worker task: the search fields of each notice in a batch (no database access)."""
    return [_search_fields(spec) for spec in specs]


class _Done:
    """An already computed result with the AsyncResult interface (no worker pool)."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


class Command(BaseCommand):
    help = "Generate realistic notices with units, issuers, categories and search index."

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, required=True, help="how many to generate")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same corpus")
        parser.add_argument("--batch-size", type=int, default=250)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="segmentation processes (0: segment in this process)",
        )

    def handle(self, *args, **options):
        total, size = options["notices"], max(1, options["batch_size"])
        if total < 1:
            raise CommandError("--notices must be at least 1")
        rng = random.Random(options["seed"])
        synthesizer = NoticeSynthesizer(
            TextSource(SOURCE, rng), self.bodies(), list(Category.objects.all()), self.taken(), rng
        )
        started = time.monotonic()
        counts = {"notices": 0, "drafts": 0, "units": 0}
        workers = options["workers"]
        pool = multiprocessing.get_context("fork").Pool(workers, start_worker) if workers else None
        try:
            pending = deque()
            for start in range(0, total, size):
                specs = [synthesizer.notice() for _ in range(min(size, total - start))]
                task = pool.apply_async(segment_batch, (specs,)) if pool else None
                pending.append((specs, task or _Done(segment_batch(specs))))
                if len(pending) > max(1, workers):
                    self.write_batch(*pending.popleft(), counts, started, total)
            while pending:
                self.write_batch(*pending.popleft(), counts, started, total)
        finally:
            if pool:
                pool.terminate()
        # The planner's statistics: search picks its plan from word frequencies, and a database
        # without autovacuum would otherwise plan for the empty tables it started with.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"\n完成：生成 {counts['notices']} 篇（其中草稿 {counts['drafts']} 篇），"
            f"条目 {counts['units']} 个，用时 {elapsed:.1f} 秒"
            f"（{counts['notices'] / elapsed:.0f} 篇/秒）。"
        )

    def bodies(self):
        """The issuing bodies, created on first use: (body, codes, weight)."""
        out = []
        for name, short_name, codes, weight in ISSUERS:
            body, _ = IssuingBody.objects.get_or_create(
                name=name, defaults={"short_name": short_name}
            )
            out.append((body, codes, weight))
        return out

    def taken(self) -> set:
        """Doc numbers already filed, per lead issuer: generated numbers must not clash."""
        return set(
            Notice.objects.exclude(doc_number_normalized="").values_list(
                "lead_issuer_id", "doc_number_normalized"
            )
        )

    def write_batch(self, specs, task, counts, started, total):
        """Insert one batch: notices, categories, co-issuers, units level by level, tsvectors."""
        results = task.get()
        notices, links, categories, levels = [], [], [], {}
        for spec, (fields, unit_texts) in zip(specs, results, strict=True):
            notice = Notice(**spec["fields"], lead_issuer_id=spec["bodies"][0][0])
            notice.fold_keys()
            (
                notice.search_title,
                notice.search_headings,
                notice.search_body,
                notice.search_text,
            ) = fields
            notices.append(notice)
            links += [
                CoIssuer(notice=notice, body_id=pk, position=position)
                for position, (pk, _) in enumerate(spec["bodies"][1:], start=1)
            ]
            categories += [(notice, pk) for pk in spec["categories"]]
            units = []
            for position, (parent, kind, label, number, heading, text) in enumerate(spec["units"]):
                unit = Section(
                    notice=notice,
                    kind=kind,
                    label=label,
                    number=number,
                    heading=heading[:300],
                    text=text,
                    position=position,
                    search_text=unit_texts[position],
                )
                unit.parent_unit = units[parent] if parent is not None else None
                levels.setdefault(0 if parent is None else 1, []).append(unit)
                units.append(unit)
            assign_anchors(units)
        with transaction.atomic():
            Notice.objects.bulk_create(notices)
            through = Notice.categories.through
            through.objects.bulk_create(
                through(notice_id=notice.pk, category_id=pk) for notice, pk in categories
            )
            CoIssuer.objects.bulk_create(links)
            NoticeViews.objects.bulk_create(
                NoticeViews(notice=notice, count=spec["views"])
                for notice, spec in zip(notices, specs, strict=True)
                if spec["views"]
            )
            for depth in sorted(levels):
                for unit in levels[depth]:
                    unit.parent = unit.parent_unit
                Section.objects.bulk_create(levels[depth], batch_size=2000)
            update_search_vectors(Notice.objects.filter(pk__in=[n.pk for n in notices]))
        # With DEBUG on, Django keeps the SQL of the last 9,000 statements; a batch's bulk
        # inserts carry megabytes of text, so 100,000 notices held 3.4 GB of it. Let it go.
        reset_queries()
        counts["notices"] += len(notices)
        counts["drafts"] += sum(n.status == Notice.Status.DRAFT for n in notices)
        counts["units"] += sum(len(spec["units"]) for spec in specs)
        rate = counts["notices"] / max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"\r生成 {counts['notices']}/{total} …  {rate:.0f} 篇/秒", ending="")
        self.stdout.flush()
