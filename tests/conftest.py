import pytest
from django.test.utils import override_settings

# The hashed-name static storage needs `collectstatic` first; tests render pages without it.
_plain_static = override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)


@pytest.fixture(autouse=True, scope="session")
def plain_static_storage():
    _plain_static.enable()
    yield
    _plain_static.disable()
