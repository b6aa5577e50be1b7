"""Print the parse of one file as JSON, without touching the database."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.parsing import parse_notice
from documents.textfiles import read_file


class Command(BaseCommand):
    help = "Parse one .txt/.html file and print the result as JSON (UTF-8)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            document = read_file(Path(options["file"]))
        except (OSError, ValueError) as error:
            raise CommandError(f"无法读取 {options['file']}：{error}") from error
        parsed = parse_notice(document.text, html=document.html)
        self.stdout.write(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
