"""Each admin action tried as each role: editor, publisher, anonymous reader."""

import pytest
from django.contrib.auth.models import Group, User

from documents.models import Notice
from tests import factories
from tests.test_admin import notice_form

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/documents/notice/"


def member(client, group):
    user = User.objects.create_user(f"{group}-user", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def editor(client):
    return member(client, "编辑")


@pytest.fixture
def publisher(client):
    return member(client, "发布者")


def act(client, action, notice):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [notice.pk]})


def test_migration_creates_the_two_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {"编辑", "发布者"}


def test_editor_creates_a_draft_but_cannot_publish_it(editor):
    response = editor.post("/admin/documents/notice/add/", notice_form(status="published"))
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.status == "draft"  # status is read-only for editors
    act(editor, "publish_selected", notice)
    notice.refresh_from_db()
    assert notice.status == "draft"
    assert "publish_selected" not in editor.get(CHANGELIST).content.decode()


def test_editor_edits_drafts_but_only_reads_published_notices(editor):
    draft = factories.notice(published=False)
    published = factories.notice()
    assert editor.get(f"{CHANGELIST}{draft.pk}/change/").status_code == 200
    page = editor.get(f"{CHANGELIST}{published.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = editor.post(f"{CHANGELIST}{published.pk}/change/", {"title": "改掉"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "改掉"


def test_editor_cannot_delete(editor):
    notice = factories.notice(published=False)
    assert editor.post(f"{CHANGELIST}{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_publisher_publishes_unpublishes_and_deletes(publisher, client):
    notice = factories.notice(published=False)
    act(publisher, "publish_selected", notice)
    notice.refresh_from_db()
    assert notice.status == "published"
    act(publisher, "unpublish_selected", notice)
    notice.refresh_from_db()
    assert notice.status == "draft"
    response = publisher.post(f"{CHANGELIST}{notice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Notice.objects.filter(pk=notice.pk).exists()


def test_publisher_edits_published_notices(publisher):
    notice = factories.notice()
    page = publisher.get(f"{CHANGELIST}{notice.pk}/change/").content.decode()
    assert 'name="_save"' in page


def test_anonymous_readers_see_published_notices_only_and_no_admin(client):
    published = factories.notice()
    draft = factories.notice(published=False)
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(CHANGELIST).status_code == 302  # to the login page
    act(client, "publish_selected", draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_staff_without_a_role_sees_nothing(client):
    client.force_login(User.objects.create_user("nobody", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
