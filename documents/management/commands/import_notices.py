"""Bulk import: parse text, web page, Word and PDF files into notices, one transaction each."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from documents.models import Category, Notice
from documents.parsing import parse_notice
from documents.services import DuplicateNotice, ImportRefused, import_notice, unknown_bodies
from documents.textfiles import SUFFIXES, read_file


def collect_files(paths: list[str]) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"找不到文件或目录：{name}")
    return files


class Command(BaseCommand):
    help = (
        "Import notices from .txt/.md/.html/.docx/.pdf files or folders"
        " (skips notices already archived)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or directories")
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            help="category slug or name to file the notices under (repeatable)",
        )
        parser.add_argument("--draft", action="store_true", help="import as drafts")
        parser.add_argument(
            "--update", action="store_true", help="overwrite notices already in the archive"
        )

    def handle(self, *args, **options):
        categories = [self.category(value) for value in options["category"]]
        files = collect_files(options["paths"])
        status = Notice.Status.DRAFT if options["draft"] else Notice.Status.PUBLISHED
        counts = {"imported": 0, "updated": 0, "skipped": 0, "failed": 0}
        failures = []
        for index, path in enumerate(files, start=1):
            prefix = f"[{index}/{len(files)}] {path}"
            try:
                document = read_file(path)
                parsed = parse_notice(document.text, html=document.html)
                new_bodies = unknown_bodies(parsed)
                result = import_notice(
                    parsed=parsed,
                    categories=categories,
                    status=status,
                    update=options["update"],
                    source_file=(path.name, path.read_bytes()),
                )
            except DuplicateNotice as duplicate:
                counts["skipped"] += 1
                self.stdout.write(f"{prefix}: 跳过，已存在（编号 {duplicate.existing.pk}）")
                continue
            except (ImportRefused, ValueError, OSError, DatabaseError) as error:
                # The notice's transaction was rolled back: nothing of it is stored.
                counts["failed"] += 1
                failures.append((path, str(error)))
                self.stdout.write(self.style.ERROR(f"{prefix}: 失败：{error}"))
                continue
            outcome = "imported" if result.created else "updated"
            counts[outcome] += 1
            verb = "导入" if result.created else "更新"
            notice = result.notice
            units = notice.sections.count()
            created = f"；新建发文机关：{'、'.join(new_bodies)}" if new_bodies else ""
            self.stdout.write(
                f"{prefix}: {verb}《{notice.title}》（编号 {notice.pk}，{units} 条{created}）"
            )
        self.stdout.write(
            f"完成：导入 {counts['imported']}，更新 {counts['updated']}，"
            f"跳过 {counts['skipped']}，失败 {counts['failed']}（共 {len(files)} 个文件）"
        )
        if failures:
            for path, reason in failures:
                self.stderr.write(f"失败 {path}：{reason}")
            raise CommandError(f"{len(failures)} 个文件导入失败", returncode=1)

    def category(self, value: str) -> Category:
        category = (
            Category.objects.filter(slug=value).first()
            or Category.objects.filter(name=value).first()
        )
        if category is None:
            slugs = ", ".join(Category.objects.values_list("slug", flat=True))
            raise CommandError(f"没有这个分类：{value}。可用的分类：{slugs}")
        return category
