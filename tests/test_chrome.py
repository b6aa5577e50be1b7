"""The chrome of every page that changes only with the archive (documents/templating/chrome.py): the
category menu, rendered once per archive generation, language and current category."""

import re

import pytest

from documents import services
from documents.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db

MENU = "includes/category_menu.html"


def rendered(response) -> list[str]:
    return [template.name for template in response.templates]


def current_entry(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'href="/categories/([\w-]+)/" aria-current="page"', page)


def test_the_menu_is_rendered_once_until_the_archive_changes(client):
    notice = factories.notice(categories=[factories.category("regional-economy")])
    assert MENU in rendered(client.get("/"))
    for url in ("/notices/", notice.get_absolute_url(), notice.lead_issuer.get_absolute_url()):
        response = client.get(url)
        assert MENU not in rendered(response), url
        assert "区域经济政策" in response.content.decode()
    services.unpublish(Notice.objects.filter(pk=notice.pk))
    response = client.get("/notices/")
    assert MENU in rendered(response)  # the archive changed: its counts are made again


def test_the_menu_marks_the_category_of_the_page_and_no_other(client):
    factories.notice(categories=[factories.category("regional-economy")])
    factories.notice(categories=[factories.category("belt-and-road")])
    assert current_entry(client.get("/categories/regional-economy/")) == ["regional-economy"]
    assert current_entry(client.get("/categories/belt-and-road/")) == ["belt-and-road"]
    assert current_entry(client.get("/notices/")) == []
    assert current_entry(client.get("/categories/regional-economy/")) == ["regional-economy"]


def test_the_menu_is_in_the_readers_script(client):
    factories.notice(categories=[factories.category("regional-economy")])
    assert "区域经济政策" in client.get("/").content.decode()
    traditional = client.get("/", headers={"accept-language": "zh-TW"}).content.decode()
    assert "區域經濟政策" in traditional and "区域经济政策" not in traditional
