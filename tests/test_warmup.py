"""The server process's warm-up (policyhub/warmup.py): a worker started from policyhub.wsgi has
done, before its first reader, what Django would otherwise do during that reader's request."""

import json
import subprocess
import sys

from django.conf import settings

from policyhub.warmup import public_templates

STARTED_WORKER = """
import gc, json, sys
import policyhub.wsgi
from django.template import engines
from django.urls import get_resolver
from django.utils import translation
from django.utils.translation import trans_real
loader = engines["django"].engine.template_loaders[0]  # the cached loader (DEBUG off)
jinja = engines["jinja2"].env.cache  # keyed by (loader, name)
from documents.filters import NoticeFilterForm
forms = NoticeFilterForm.default_renderer.engine.env.cache
print(json.dumps({
    "views_imported": "documents.views" in sys.modules and "documents.api" in sys.modules,
    "reverse_tables": sorted(get_resolver()._reverse_dict),
    "catalogs": sorted(trans_real._translations),
    "compiled": sorted([*loader.get_template_cache, *(name for _, name in jinja.keys())]),
    "form_widgets": sorted(name for _, name in forms.keys()),
    "frozen": gc.get_freeze_count(),
}))
"""


def started_worker() -> dict:
    """What a process that imported policyhub.wsgi has loaded, as it would start under
    gunicorn: production settings, no request made, no database asked."""
    result = subprocess.run(
        [sys.executable, "-c", STARTED_WORKER],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "warm-up-test",
            # No database there: the warm-up must not need one.
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_started_worker_has_imported_compiled_and_frozen_what_pages_need():
    worker = started_worker()
    assert worker["views_imported"]
    languages = [code for code, _name in settings.LANGUAGES]
    assert set(languages) <= set(worker["reverse_tables"])
    assert set(languages) <= set(worker["catalogs"])
    for name in ("base.html", "documents/notice_detail.html", "includes/notice_row.html"):
        assert name in worker["compiled"]
    for name in ("django/forms/widgets/select.html", "django_filters/widgets/multiwidget.html"):
        assert name in worker["form_widgets"]
    assert worker["frozen"] > 10_000


def test_the_public_templates_are_every_page_template_but_the_admins():
    names = public_templates()
    assert "documents/notice_list.html" in names
    assert "includes/category_menu.html" in names
    assert not any(name.startswith("admin/") for name in names)
    assert len(names) == len(set(names))
