import os
import tempfile

import pytest
from django.conf import settings
from django.test.utils import override_settings


@pytest.fixture(autouse=True, scope="session")
def cache_of_the_test_run():
    """A cache folder of the test run's own, for this process and every server process a test
    starts (they read DJANGO_CACHE_DIR): never the development site's, whose pages are of
    another database. (Tests with REDIS_URL set get Redis, as the settings say.)"""
    if not settings.configured or os.environ.get("REDIS_URL"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="policyhub-test-cache-") as folder:
        os.environ["DJANGO_CACHE_DIR"] = folder
        caches = {"default": {**settings.CACHES["default"], "LOCATION": folder}}
        with override_settings(CACHES=caches):
            yield


@pytest.fixture(autouse=True, scope="session")
def jinja2_pages_report_their_context():
    """The test client's ``response.context`` and ``response.templates`` for the Jinja2 pages,
    as Django's test setup gives them for its own templates: each template rendered through
    Django (a page, the category menu, a form's widget) sends ``template_rendered`` with its
    context. Jinja2's own includes and the base template do not: they are not reported."""
    if not settings.configured:
        yield
        return
    from django.template import Context
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    render = backend.Template.render

    def render_and_report(self, context=None, request=None):
        rendered = render(self, context, request)
        template_rendered.send(sender=self, template=self.template, context=Context(context))
        return rendered

    backend.Template.render = render_and_report
    yield
    backend.Template.render = render


@pytest.fixture(autouse=True, scope="session")
def plain_static_storage():
    """The hashed-name static storage needs `collectstatic` first; tests render without it."""
    if not settings.configured:  # the parser's tests also run without Django (-p no:django)
        yield
        return
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def media_in_a_temporary_folder(tmp_path_factory):
    """Files the tests store (imported notices' source files, attachments) go to a folder of
    the run's own, not the project's media/."""
    if not settings.configured:
        yield
        return
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, and with no archive generation remembered in the
    process: cached pages and summaries are keyed by a counter that the test database's
    rollback resets."""
    if settings.configured:
        from django.core.cache import cache

        from documents.models import ArchiveGeneration

        cache.clear()
        ArchiveGeneration.forget()
    yield


@pytest.fixture
def service(db, tmp_path, settings, monkeypatch):
    """The search service (``manage.py serve_search``) in this process: its index in a folder
    of the test's own, its HTTP server on a free port, ``SEARCH_URL`` set to it. The index is
    synced from the test's own connection before each search the app asks: the test's rows
    are not committed, so the service's own keeper (another connection) could not see them
    (``test_search_service`` runs the keeper on committed rows)."""
    import threading

    from documents import search_service as client
    from documents.management.commands.serve_search import make_server
    from documents.search_index import SearchIndex

    index = SearchIndex(tmp_path / "search-index")
    server = make_server(index, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SEARCH_URL = f"http://127.0.0.1:{server.server_port}"
    ask = client.ask

    def ask_in_step(parameters):
        index.sync()
        return ask(parameters)

    monkeypatch.setattr(client, "ask", ask_in_step)
    yield index
    server.shutdown()
    server.server_close()
