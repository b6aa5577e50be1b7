"""Notice pages kept until something they show changes (documents.notice_pages): served
without rendering, with the reader's count, the site's address, the menu and the related
notices of the moment; expired by every write that changes what they show, and only by those."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import caching, citations, services
from documents.models import Notice, Reference, ValidityProposal
from documents.parsing import parse_notice
from tests import factories
from tests.test_history import form_data

pytestmark = pytest.mark.django_db

CITED_TITLE = "国务院关于推进区域协调发展的若干意见"
CITING_TEXT = (
    "为贯彻落实《国务院关于推进区域协调发展的若干意见》（国发〔2016〕67号），现就有关事项通知如下。"
)
REPEALING = f"《{CITED_TITLE}》（国发〔2016〕67号）同时废止。"


def read(client, notice, **headers):
    """A reading by someone not logged in: the page, and whether it was rendered for it."""
    response = client.get(notice.get_absolute_url(), **headers)
    assert response.status_code == 200
    rendered = "documents/notice_detail.html" in [t.name for t in response.templates]
    return response.content.decode(), rendered


def cited(**fields):
    fields.setdefault("doc_number", "国发〔2016〕67号")
    return factories.notice(title=CITED_TITLE, **fields)


def citing(text=CITING_TEXT, **fields):
    fields.setdefault("title", "关于落实区域协调发展意见的通知")
    return factories.notice(units=[("总体要求", text)], doc_number="发改地区〔2017〕3号", **fields)


def test_a_kept_page_is_served_unrendered_with_what_differs_per_reading(client):
    region = factories.category()
    notice = factories.notice(title="本文", categories=[region])
    factories.notice(title="同类文件", categories=[region])
    first, rendered = read(client, notice)
    assert rendered
    with CaptureQueriesContext(connection) as queries:
        again, rendered = read(client, notice, HTTP_HOST="127.0.0.1")
    assert not rendered
    assert len(queries) == 2  # the reading, and the archive generation (a server: once a second)
    assert "\ue000" not in again  # no stand-in left
    assert "<td>2 次</td>" in again and "<td>1 次</td>" in first
    assert f'<link rel="canonical" href="http://127.0.0.1{notice.get_absolute_url()}">' in again
    assert f"http://testserver{notice.get_absolute_url()}</p>" in first  # the citation
    assert "同类文件" in again.split('class="related"')[1]
    menu = again.split("<main")[0]
    assert '<nav class="category-menu"' in menu
    assert re.search(r"区域经济政策<span class=\"count\"[^>]*>2<", menu)
    # The same page but for the count and the address.
    assert again.replace("127.0.0.1", "testserver").replace("2 次", "1 次") == first


def test_another_notices_write_keeps_the_page_and_its_menu_and_related_follow(client):
    region = factories.category()
    notice = factories.notice(title="本文", categories=[region])
    read(client, notice)
    factories.notice(title="后来的同类文件", categories=[region])  # a publish: a new generation
    page, rendered = read(client, notice)
    assert not rendered
    assert "后来的同类文件" in page.split('class="related"')[1]
    menu = page.split("<main")[0]
    assert re.search(r"区域经济政策<span class=\"count\"[^>]*>[^<]*2", menu)


def test_a_kept_page_is_per_language(client):
    notice = factories.notice(title="关于区域协调发展的通知")
    simplified, _ = read(client, notice)
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    traditional, rendered = read(client, notice)
    assert rendered
    assert "關於區域協調發展的通知" in traditional and "关于区域协调发展的通知" in simplified


def test_an_edit_of_the_notice_expires_its_page(client):
    notice = factories.notice(units=[("总体要求", "旧的要求。")])
    read(client, notice)
    unit = notice.sections.get()
    unit.text = "新的要求。"
    unit.save()
    services.index_notices([notice.pk])
    page, rendered = read(client, notice)
    assert rendered and "新的要求。" in page and "旧的要求。" not in page


def test_renaming_its_category_or_issuing_body_expires_its_page(client):
    region = factories.category()
    notice = factories.notice(categories=[region])
    read(client, notice)
    region.name = "区域发展政策"
    region.save()
    assert "区域发展政策</a></td>" in read(client, notice)[0]
    body = notice.lead_issuer
    body.name = "改名后的机关"
    body.save()
    assert "改名后的机关" in read(client, notice)[0].split("</table>")[0]


def test_a_citing_notice_published_unpublished_or_deleted_expires_the_cited_page(client):
    a = cited()
    b = citing(published=False)
    assert 'id="cited-by"' not in read(client, a)[0]
    services.publish(Notice.objects.filter(pk=b.pk))
    page, rendered = read(client, a)
    assert rendered and "关于落实区域协调发展意见的通知" in page.split('id="cited-by"')[1]
    services.unpublish(Notice.objects.filter(pk=b.pk))
    assert 'id="cited-by"' not in read(client, a)[0]
    services.publish(Notice.objects.filter(pk=b.pk))
    assert 'id="cited-by"' in read(client, a)[0]
    b.delete()
    assert 'id="cited-by"' not in read(client, a)[0]


def test_a_cited_notice_published_retitled_or_unpublished_expires_the_citing_page(client):
    b = citing()
    a = cited(published=False)
    assert f'href="{a.get_absolute_url()}"' not in read(client, b)[0]
    services.publish(Notice.objects.filter(pk=a.pk))
    assert f'<a href="{a.get_absolute_url()}">《{CITED_TITLE}》</a>' in read(client, b)[0]
    a.refresh_from_db()
    a.title = "国务院关于推进区域协调发展的若干意见（修订）"
    a.save()
    services.index_notices([a.pk])
    assert "若干意见（修订）》</a>" in read(client, b)[0]
    services.unpublish(Notice.objects.filter(pk=a.pk))
    assert f'href="{a.get_absolute_url()}"' not in read(client, b)[0]


def test_a_citing_unit_deleted_in_the_admin_expires_the_cited_page(client, admin_client):
    a = cited()
    b = citing()
    b.sections.create(position=1, label="(二)", heading="其他", text="其他事项。", anchor="s-2")
    assert 'id="cited-by"' in read(client, a)[0]
    change = reverse("admin:documents_notice_change", args=[b.pk])
    form = form_data(admin_client.get(change))
    first = next(k for k, v in form.items() if k.endswith("-id") and v == b.sections.first().pk)
    form[first.removesuffix("-id") + "-DELETE"] = "on"  # the unit that cites A
    response = admin_client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Reference.objects.filter(citing=b).exists()
    page, rendered = read(client, a)
    assert rendered and 'id="cited-by"' not in page


def test_a_notice_overwritten_from_text_that_no_longer_cites_expires_the_cited_page(client):
    a = cited()
    text = (
        "国家发展改革委关于落实区域协调发展意见的通知\n发改地区〔2017〕3号\n"
        "各省、自治区：\n一、总体要求\n{}\n"
    )
    parsed = parse_notice(text.format(CITING_TEXT))
    services.import_notice(parsed=parsed, status=Notice.Status.PUBLISHED)
    assert 'id="cited-by"' in read(client, a)[0]
    services.import_notice(
        parsed=parse_notice(text.format("按照有关规定执行。")), update=True, status="published"
    )
    page, rendered = read(client, a)
    assert rendered and 'id="cited-by"' not in page


def test_a_reference_that_moves_to_another_notice_expires_the_one_it_left(client):
    x = factories.notice(title="另一个文件", doc_number="国发〔2016〕67号")
    b = citing()
    assert Reference.objects.get(citing=b).cited == x  # by its number alone
    assert 'id="cited-by"' in read(client, x)[0]
    y = cited(lead_issuer=factories.body("国务院"))  # number and title: the better match
    assert Reference.objects.get(citing=b).cited == y
    page, rendered = read(client, x)
    assert rendered and 'id="cited-by"' not in page


def test_references_read_again_alone_expire_the_pages_they_no_longer_cite(client, monkeypatch):
    a = cited()
    b = citing()
    assert 'id="cited-by"' in read(client, a)[0]
    monkeypatch.setattr(citations, "read_references", lambda notice: [])
    citations.link_notices(Notice.objects.filter(pk=b.pk).prefetch_related("sections"))
    page, rendered = read(client, a)
    assert rendered and 'id="cited-by"' not in page


def test_only_the_notices_own_address_is_kept(client):
    notice = factories.notice()
    odd = client.get(f"/notices/{notice.pk:06d}/?&")
    assert odd.status_code == 200
    assert f'value="/notices/{notice.pk:06d}/?&amp;"' in odd.content.decode()
    page, rendered = read(client, notice)
    assert rendered and f'name="next" value="{notice.get_absolute_url()}"' in page


def test_an_accepted_repeal_expires_the_repealed_page(client):
    a = cited()
    b = citing(text=REPEALING, issued_date=datetime.date(2020, 1, 1))
    assert "已废止" not in read(client, a)[0].split("</table>")[0]
    user = User.objects.create_user("publisher", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="发布者"))
    client.force_login(user)
    client.post(
        reverse("admin:documents_validityproposal_changelist"),
        {"action": "accept_selected", "_selected_action": [ValidityProposal.objects.get().pk]},
    )
    client.logout()
    meta = read(client, a)[0].split("</table>")[0]
    assert f'被<a href="{b.get_absolute_url()}">《关于落实区域协调发展意见的通知》</a>废止' in meta


def test_a_notice_made_anew_under_an_old_id_never_gets_the_old_page(client):
    old = factories.notice(title="旧文件")
    pk = old.pk
    read(client, old)
    old.delete()
    new = factories.notice(pk=pk, title="新文件")
    page, rendered = read(client, new)
    assert rendered and "新文件" in page and "旧文件" not in page


def test_a_search_or_an_editor_gets_the_page_rendered_not_kept(client, admin_client):
    notice = factories.notice(units=[("总体要求", "推动区域协调发展。")])
    read(client, notice)
    response = client.get(notice.get_absolute_url(), {"q": "协调"})
    assert "<mark>协调</mark>" in response.content.decode()
    response = admin_client.get(notice.get_absolute_url())
    assert "documents/notice_detail.html" in [t.name for t in response.templates]


def test_the_command_keeps_every_published_page_in_every_language(client, capsys):
    notices = [factories.notice(title=f"文件{i}") for i in range(3)]
    draft = factories.notice(title="草稿", published=False)
    call_command("keep_notice_pages")
    assert "新渲染 6 个页面" in capsys.readouterr().out
    for notice in notices:
        page, rendered = read(client, notice)
        assert not rendered and "<td>1 次</td>" in page and notice.title in page
    assert client.get(draft.get_absolute_url()).status_code == 404
    call_command("keep_notice_pages", language=["zh-hans"])
    assert "新渲染 0 个页面" in capsys.readouterr().out


def test_a_page_kept_by_another_release_is_not_served(client, monkeypatch):
    notice = factories.notice()
    read(client, notice)
    assert not read(client, notice)[1]
    monkeypatch.setattr(caching, "release", lambda: "another")
    assert read(client, notice)[1]


def test_the_release_digest_follows_the_templates_and_translations(settings, tmp_path):
    template = tmp_path / "documents" / "jinja2" / "page.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>旧</p>")
    settings.BASE_DIR, settings.STATIC_ROOT = tmp_path, tmp_path / "staticfiles"
    digests = []
    for change in (lambda: None, lambda: template.write_text("<p>新</p>")):
        change()
        caching.release.cache_clear()
        digests.append(caching.release())
    caching.release.cache_clear()
    assert digests[0] != digests[1]


def test_related_notices_are_the_newest_of_all_its_categories_itself_left_out(client):
    a, b = factories.category("regional-economy"), factories.category("belt-and-road")
    day = datetime.date(2020, 1, 1)
    for i in range(4):
        factories.notice(title=f"甲{i}", categories=[a], issued_date=day.replace(month=1 + 2 * i))
        factories.notice(title=f"乙{i}", categories=[b], issued_date=day.replace(month=2 + 2 * i))
    factories.notice(title="无日期", categories=[a], issued_date=None)
    notice = factories.notice(title="本文", categories=[a, b], issued_date=day.replace(month=12))
    page, _ = read(client, notice)
    shown = re.findall(r'class="notice-title"[^>]*>([^<]*)</a>', page.split('class="related"')[1])
    assert shown == ["乙3", "甲3", "乙2", "甲2", "乙1", "甲1"]
