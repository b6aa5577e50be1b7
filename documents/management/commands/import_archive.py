"""Restore an archive file written by export_archive into a database without notices."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from documents.backup import ArchiveError
from documents.restore import ArchiveNotEmpty, import_archive, verify_archive


class Command(BaseCommand):
    help = (
        "Restore notices, units, categories, issuing bodies and attachments' metadata from an "
        "export_archive file, in one transaction, and rebuild the search index. Refuses a "
        "database that already holds notices unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by export_archive (.jsonl or .gz)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete every notice in the database first, so that the archive replaces them",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the file (format, counts, content SHA-256); write nothing",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            if options["check"]:
                summary = verify_archive(path)
                self.stdout.write(f"{path}: 完好")
            else:
                summary = import_archive(path, force=options["force"], progress=self.progress)
                self.stdout.write(f"已从 {path} 恢复，搜索索引已重建")
        except (ArchiveError, ArchiveNotEmpty) as error:
            raise CommandError(f"{error} 数据库未作任何改动。") from error
        except DatabaseError as error:
            raise CommandError(f"恢复失败，已回滚，数据库未作任何改动：{error}") from error
        self.stdout.write(summary.report())

    def progress(self, done: int, total: int) -> None:
        end = "\n" if done == total or not sys.stderr.isatty() else ""
        self.stderr.write(f"\r恢复 {done}/{total} 篇文件", ending=end)
