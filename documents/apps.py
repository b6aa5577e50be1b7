from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "政策文件"

    def ready(self):
        # jieba's dictionary takes about a second to load: pay it at start-up, once per process.
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_delete,
        )

        from . import caching, search, services
        from .models import Category, IssuingBody, Notice

        search.load()
        post_migrate.connect(caching.clear_after_migrate, sender=self, dispatch_uid="cache")
        post_delete.connect(services.archive_changed, sender=Notice, dispatch_uid="archive")
        post_delete.connect(services.notice_deleted, sender=Notice, dispatch_uid="search-index")
        pre_delete.connect(caching.notice_deleting, sender=Notice, dispatch_uid="pages")
        # A notice's categories changed by any path: category counts, and the search service,
        # which indexes them and syncs when the generation moves.
        m2m_changed.connect(
            services.archive_changed, sender=Notice.categories.through, dispatch_uid="archive-m2m"
        )
        # Category and body names appear on every page (menus, notice rows): renaming one must
        # expire cached pages and ETags as a notice edit does, and its notices' kept pages.
        for model in (Category, IssuingBody):
            uid = model.__name__
            for signal in (post_save, post_delete):
                signal.connect(
                    services.archive_changed, sender=model, dispatch_uid=f"archive-{uid}"
                )
            for signal in (post_save, pre_delete):
                signal.connect(caching.names_changed, sender=model, dispatch_uid=f"pages-{uid}")
