import pytest
from django.conf import settings
from django.test.utils import override_settings


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


@pytest.fixture(autouse=True, scope="session")
def view_counts_written_by_hand():
    """No thread writing view counts in the background: its own connection would not see a
    test's uncommitted notices. The tests write them with counter.flush(); tests/test_readings.py
    starts the thread where it tests it."""
    if settings.configured:
        from documents.readings import counter

        counter.background = False
    yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, and with no archive generation or view counts
    remembered in the process: cached summaries are keyed by a counter, and the counts are of
    notices, that the test database's rollback resets."""
    if settings.configured:
        from django.core.cache import cache

        from documents.models import ArchiveGeneration
        from documents.readings import counter

        cache.clear()
        ArchiveGeneration.forget()
        counter.discard()
        yield
        counter.discard()  # nothing left for the flush at exit, when the test database is gone
    else:
        yield
