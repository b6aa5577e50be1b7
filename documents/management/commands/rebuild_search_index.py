"""Rebuild the search index of every notice, in batches, with a progress line."""

from django.core.management.base import BaseCommand

from documents.models import Notice
from documents.services import index_notices


class Command(BaseCommand):
    help = "Recompute the search words (and the PostgreSQL tsvector) of all notices."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options):
        ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
        size = max(1, options["batch_size"])
        for start in range(0, len(ids), size):
            index_notices(ids[start : start + size])
            done = min(start + size, len(ids))
            self.stdout.write(f"\r索引 {done}/{len(ids)}", ending="")
            self.stdout.flush()
        self.stdout.write(f"\n完成：{len(ids)} 个文件已重建索引。")
