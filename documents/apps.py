from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "政策文件"

    def ready(self):
        # jieba's dictionary takes about a second to load: pay it at start-up, once per process.
        from . import search

        search.load()
