"""Read the references of every notice (or of some) again: for an archive that predates them,
or after the reading rules changed. Idempotent; progress on one line, a summary at the end."""

import time

from django.core.management.base import BaseCommand
from django.db.models import Prefetch

from documents import citations
from documents.models import ArchiveGeneration, Notice, Reference, Section, ValidityProposal


class Command(BaseCommand):
    help = "Find, store and resolve the references between notices (本文引用 / 被引用)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
        size = max(1, options["batch_size"])
        started = time.monotonic()
        units = Section.objects.only("notice_id", "text", "position", "anchor", "label")
        for start in range(0, len(ids), size):
            batch = (
                Notice.objects.filter(pk__in=ids[start : start + size])
                .only(
                    "title",
                    "doc_number_normalized",
                    "title_key",
                    "body_title",
                    "preamble",
                    "body_intro",
                )
                .prefetch_related(Prefetch("sections", units), "attachments")
            )
            citations.link_notices(batch)
            done = min(start + size, len(ids))
            rate = done / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"\r引用 {done}/{len(ids)} 个文件，{rate:.0f} 个/秒", ending="")
            self.stdout.flush()
        ArchiveGeneration.advance()
        seconds = time.monotonic() - started
        references = Reference.objects.count()
        linked = Reference.objects.filter(cited__isnull=False).count()
        pending = ValidityProposal.objects.filter(decision=ValidityProposal.Decision.PENDING)
        rate = len(ids) / max(seconds, 1e-9)
        self.stdout.write(
            f"\n完成：{len(ids)} 个文件，{seconds:.1f} 秒（{rate:.0f} 个/秒）；"
            f"{references} 个引用，{linked} 个引用已链接到本站文件；"
            f"{pending.count()} 条时效变更建议待审核。"
        )
