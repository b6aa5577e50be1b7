"""Back up the whole archive to one portable file (see documents/backup.py for the format)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.backup import database_summary, export_archive


class Command(BaseCommand):
    help = (
        "Export every notice with its units, categories, issuing bodies and attachments' metadata "
        "to a JSON Lines file (gzip if FILE ends in .gz), and print its content SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the archive to write, e.g. backup.jsonl.gz")
        parser.add_argument(
            "--hash-only",
            action="store_true",
            help="write nothing; print the content SHA-256 of the database as it is now",
        )

    def handle(self, *args, **options):
        if options["hash_only"]:
            summary = database_summary()
        elif options["file"]:
            path = Path(options["file"])
            if not path.parent.is_dir():
                raise CommandError(f"目录不存在：{path.parent}")
            summary = export_archive(path, progress=self.progress)
            self.stdout.write(f"已导出到 {path}（{path.stat().st_size:,} 字节）")
        else:
            raise CommandError("请给出备份文件名，或用 --hash-only 只计算内容哈希。")
        self.stdout.write(summary.report())

    def progress(self, done: int, total: int) -> None:
        # One line rewritten in place on a terminal; a plain line per step in a log.
        end = "\n" if done == total or not sys.stderr.isatty() else ""
        self.stderr.write(f"\r导出 {done}/{total} 篇文件", ending=end)
