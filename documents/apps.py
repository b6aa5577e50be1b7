from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "政策文件"

    def ready(self):
        # jieba's dictionary takes about a second to load: pay it at start-up, once per process.
        from django.db.models.signals import post_delete

        from . import search, services
        from .models import Notice

        search.load()
        post_delete.connect(services.archive_changed, sender=Notice, dispatch_uid="archive")
