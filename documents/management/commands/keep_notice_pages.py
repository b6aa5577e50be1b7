"""Render and keep the page of every published notice that has none kept (documents.notice_pages),
so that its first reader is served a kept page: after an import, a restore or a deployment.
Idempotent; progress on one line, a summary at the end."""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from documents import caching
from documents.models import Notice, NoticeViews
from documents.models.views import new_page_version
from documents.notice_pages import keep
from documents.views import NoticeDetailView

# Every published notice gets a page version (a notice never read has no row yet).
VERSIONS = (
    "INSERT INTO documents_noticeviews (notice_id, count, page_version)"
    " SELECT id, 0, %s FROM documents_notice WHERE status = %s"
    " ON CONFLICT (notice_id) DO NOTHING"
)


class Command(BaseCommand):
    help = "Render and keep every published notice's page that is not kept yet."

    def add_arguments(self, parser):
        codes = [code for code, _ in settings.LANGUAGES]
        parser.add_argument(
            "--language",
            action="append",
            choices=codes,
            help="only in this language (repeatable); every language by default",
        )

    def handle(self, *args, **options):
        languages = options["language"] or [code for code, _ in settings.LANGUAGES]
        with connection.cursor() as cursor:
            cursor.execute(VERSIONS, [new_page_version(), Notice.Status.PUBLISHED])
        versions = list(
            NoticeViews.objects.filter(notice__status=Notice.Status.PUBLISHED)
            .order_by("notice_id")
            .values_list("notice_id", "page_version")
        )
        total = len(versions) * len(languages)
        if not total:
            raise CommandError("没有已发布的文件。")
        started, done, rendered = time.monotonic(), 0, 0
        for language in languages:
            with translation.override(language):
                for pk, version in versions:
                    if not cache.has_key(caching.notice_page_key(pk, version, language)):
                        keep(pk, version, self.renderer(pk))
                        rendered += 1
                    done += 1
                    if done % 200 == 0 or done == total:
                        rate = done / max(time.monotonic() - started, 1e-9)
                        self.stdout.write(f"\r页面 {done}/{total}，{rate:.0f} 个/秒", ending="")
                        self.stdout.flush()
        seconds = time.monotonic() - started
        self.stdout.write(
            f"\n{len(versions)} 个已发布文件、{len(languages)} 种文字：新渲染 {rendered} 个页面，"
            f"其余已保存；用时 {seconds:.0f} 秒。"
        )

    @staticmethod
    def renderer(pk: int):
        """The view's own rendering of the page, for a reader not logged in."""
        request = RequestFactory().get(f"/notices/{pk}/")
        request.user = AnonymousUser()
        view = NoticeDetailView()
        view.setup(request, pk=pk)
        return view.render_kept_page
