"""Every change to a notice and its units is a revision that can be viewed and restored."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from documents.models import Notice, Section
from tests import factories
from tests.test_admin import notice_form

pytestmark = pytest.mark.django_db

SEED = Path("documents/sample_data/regional-economy/notice-fagai-diqu-2016-1771.txt")
CHANGELIST = "/admin/documents/notice/"


@pytest.fixture
def boss(client):
    user = User.objects.create_superuser("boss", "boss@example.com", "a-long-test-password")
    client.force_login(user)
    return client


def change_data(notice, **fields):
    """The change form's data for a notice as it stands, with its units, plus changes."""
    sections = list(notice.sections.all())
    data = notice_form(
        title=notice.title,
        doc_number=notice.doc_number,
        lead_issuer=str(notice.lead_issuer_id),
        status=notice.status,
        **{
            "sections-TOTAL_FORMS": str(len(sections)),
            "sections-INITIAL_FORMS": str(len(sections)),
        },
    )
    for key in [k for k in data if k.startswith("sections-") and k[9].isdigit()]:
        del data[key]
    for i, section in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": str(section.pk),
                f"sections-{i}-notice": str(notice.pk),
                f"sections-{i}-position": str(section.position),
                f"sections-{i}-kind": section.kind,
                f"sections-{i}-label": section.label,
                f"sections-{i}-number": str(section.number),
                f"sections-{i}-parent": "",
                f"sections-{i}-heading": section.heading,
                f"sections-{i}-text": section.text,
            }
        )
    data.update(fields)
    return data


def test_an_admin_edit_is_recorded_with_who_and_what(boss):
    boss.post(f"{CHANGELIST}add/", notice_form())
    notice = Notice.objects.get()
    boss.post(f"{CHANGELIST}{notice.pk}/change/", change_data(notice, title="改过的标题"))
    versions = Version.objects.get_for_object(notice)
    assert versions.count() == 2
    latest = versions.first().revision
    assert latest.user.username == "boss"
    assert "标题" in latest.get_comment()
    history = boss.get(f"{CHANGELIST}{notice.pk}/history/").content.decode()
    assert "boss" in history


def test_an_old_version_restores_the_text_and_the_units(boss):
    boss.post(f"{CHANGELIST}add/", notice_form())
    notice = Notice.objects.get()
    data = change_data(notice, title="改过的标题", **{"sections-1-text": "改过的正文。"})
    boss.post(f"{CHANGELIST}{notice.pk}/change/", data)
    assert Section.objects.filter(text="改过的正文。").exists()
    first = Version.objects.get_for_object(notice).last()
    page = boss.get(f"{CHANGELIST}{notice.pk}/history/{first.pk}/")
    assert page.status_code == 200
    boss.post(f"{CHANGELIST}{notice.pk}/history/{first.pk}/", form_data(page))
    notice.refresh_from_db()
    assert notice.title == "关于测试后台录入的通知"
    assert not Section.objects.filter(text="改过的正文。").exists()


def test_a_deleted_notice_is_recovered_with_its_units(boss):
    call_command("import_notices", str(SEED), "--draft")
    notice = Notice.objects.get()
    assert notice.sections.count() == 31
    boss.post(f"{CHANGELIST}{notice.pk}/delete/", {"post": "yes"})
    assert not Notice.objects.exists() and not Section.objects.exists()
    recover_list = boss.get(f"{CHANGELIST}recover/").content.decode()
    assert "區域協調發展" in recover_list
    version = Version.objects.get_deleted(Notice).get()
    page = boss.get(f"{CHANGELIST}recover/{version.pk}/")
    assert page.status_code == 200
    response = boss.post(f"{CHANGELIST}recover/{version.pk}/", form_data(page))
    assert response.status_code == 302
    restored = Notice.objects.get()
    assert restored.sections.count() == 31
    assert restored.sections.filter(heading="強化上下聯動協作").exists()


def form_data(page):
    """Re-post an admin form (revert or recover) exactly as the page rendered it."""

    def plain(value):
        if value is None or hasattr(value, "field"):  # no value, or an empty FieldFile
            return ""
        return value

    form = page.context["adminform"].form
    data = {name: plain(form[name].value()) for name in form.fields}
    data["categories"] = [str(c) for c in (form["categories"].value() or [])]
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for i, subform in enumerate(fs.forms):
            for name in subform.fields:
                data[f"{fs.prefix}-{i}-{name}"] = plain(subform[name].value())
    return data


def test_imports_and_publishing_are_recorded(boss):
    call_command("import_notices", str(SEED), "--draft")
    notice = Notice.objects.get()
    boss.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [notice.pk]})
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(notice)]
    assert comments == ["发布", "从文本导入"]
    first = Version.objects.get_for_object(notice).last()
    assert first.revision.version_set.filter(content_type__model="section").count() == 31


def test_a_factory_notice_has_no_history_until_changed():
    notice = factories.notice()
    assert Version.objects.get_for_object(notice).count() == 0
