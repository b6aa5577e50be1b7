"""Login throttling, security headers, and hostile notice text shown as text everywhere."""

import os
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '关于<script>alert("x")</script>的通知'
HOSTILE_TEXT = '<a href="javascript:alert(1)">点我</a><img src=x onerror=alert(2)>区域协调'


def login(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password})


def test_repeated_failed_logins_lock_the_account_out_with_a_clear_message(client, settings):
    User.objects.create_superuser("editor", "e@example.com", "the-right-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200
    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert "登录已被暂时锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    assert login(client, "the-right-password-123").status_code == 429


def test_a_successful_login_still_works(client):
    User.objects.create_superuser("editor", "e@example.com", "the-right-password-123")
    assert login(client, "the-right-password-123").status_code == 302


def test_pages_carry_security_headers(client):
    notice = factories.notice()
    response = client.get(notice.get_absolute_url())
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script(client):
    notice = factories.notice(sections=2)
    User.objects.create_superuser("boss", "b@example.com", "a-long-test-password")
    for url in ["/", "/notices/", notice.get_absolute_url()]:
        assert "<script>" not in client.get(url).content.decode()


def test_hostile_notice_text_is_shown_as_text_on_every_page(client):
    notice = factories.notice(
        title=HOSTILE_TITLE,
        preamble=HOSTILE_TEXT,
        # A unit with a heading, and one whose label leads its first paragraph.
        units=[("<b>标题</b>", HOSTILE_TEXT), ("", HOSTILE_TEXT + "\n" + HOSTILE_TEXT)],
        categories=[factories.category()],
    )
    pages = [
        "/",
        "/notices/",
        "/categories/regional-economy/",
        notice.get_absolute_url(),
        notice.get_absolute_url() + "?q=区域协调",
        "/notices/?q=区域协调",
        notice.lead_issuer.get_absolute_url(),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert '<script>alert("x")' not in page, url
        assert 'href="javascript:' not in page, url
        assert "<img src=x" not in page, url
        assert "<b>标题</b>" not in page, url
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in detail


HOSTILE_QUERY = '"><img src=x onerror=alert(3)>区域协调'


def test_what_a_reader_types_is_shown_as_text_wherever_a_page_repeats_it(client):
    """The query in the title, heading, search box, result links and notes, a bad filter
    value in the form, and a hostile issuer's name: text, never markup."""
    body = factories.body("<img src=x onerror=alert(4)>机关")
    notice = factories.notice(title="关于区域协调发展的通知", lead_issuer=body, sections=2)
    pages = [
        "/notices/?" + urlencode({"q": HOSTILE_QUERY}),
        "/notices/?" + urlencode({"q": '"<>&'}),  # no searchable word: the note repeats it
        "/notices/?" + urlencode({"q": HOSTILE_QUERY, "year": '"><img src=x onerror=alert(5)>'}),
        notice.get_absolute_url() + "?" + urlencode({"q": HOSTILE_QUERY}),
        body.get_absolute_url(),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "<img src=x" not in page, url
        assert '"<>&' not in page, url
        assert "&lt;img src=x onerror=alert(" in page, url  # shown, as text
    note = client.get("/notices/?" + urlencode({"q": '"<>&'})).content.decode()
    assert "“\u2068&#34;&lt;&gt;&amp;\u2069”里没有可搜索的词" in note


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7" * 30 + "-not-a-real-secret",
        "DJANGO_ALLOWED_HOSTS": "policyhub.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
