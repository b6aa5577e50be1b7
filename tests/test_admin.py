import pytest
from django.contrib.auth.models import User
from django.test import Client

from documents.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("editor", "editor@example.com", "a-long-test-password")
    client.force_login(user)
    return client


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def notice_form(**fields):
    data = {
        "title": "关于测试后台录入的通知",
        "doc_number": "测发〔2024〕8号",
        "lead_issuer": str(factories.body().pk),
        "categories": [str(factories.category("belt-and-road").pk)],
        "issued_date": "2024-05-06",
        "published_date": "2024-05-08",
        "validity": "current",
        "status": "draft",
        "source": "",
        "addressees": "各省、自治区、直辖市人民政府",
        "preamble": "现将有关事项通知如下。",
        "signatory": "",
        "index_number": "",
        "body_title": "",
        "body_intro": "",
        **management("co_issuer_links"),
        **management("attachments"),
        **management("sections", 2),
    }
    for i, (label, heading) in enumerate([("（一）", "总体要求"), ("（二）", "工作措施")]):
        data.update(
            {
                f"sections-{i}-position": str(i + 1),
                f"sections-{i}-kind": "section",
                f"sections-{i}-label": label,
                f"sections-{i}-number": str(i + 1),
                f"sections-{i}-parent": "",
                f"sections-{i}-heading": heading,
                f"sections-{i}-text": f"{heading}的正文。",
            }
        )
    data.update(fields)
    return data


def test_changelist_with_filters_search_and_date_hierarchy(editor):
    factories.notice(title="关于区域协调发展的通知", doc_number="發改地區[2016]1771號")
    factories.notice(title="草稿文件", published=False)
    for query in [
        "",
        "?status__exact=draft",
        "?q=区域协调",
        "?q=发改地区〔2016〕1771号",
        "?issued_date__year=2020",
        "?validity__exact=current",
    ]:
        response = editor.get("/admin/documents/notice/" + query)
        assert response.status_code == 200, query
    page = editor.get("/admin/documents/notice/?q=区域协调").content.decode()
    assert "关于区域协调发展的通知" in page and "草稿文件" not in page
    by_number = editor.get("/admin/documents/notice/?q=发改地区[2016]1771号").content.decode()
    assert "关于区域协调发展的通知" in by_number


def test_add_a_notice_with_two_sections_then_publish_it(editor, client):
    response = editor.post("/admin/documents/notice/add/", notice_form())
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    notice = Notice.objects.get(title="关于测试后台录入的通知")
    assert notice.status == "draft"
    assert [(s.label, s.heading, s.anchor) for s in notice.sections.all()] == [
        ("（一）", "总体要求", "s-1"),
        ("（二）", "工作措施", "s-2"),
    ]
    assert notice.doc_number_normalized == "测发[2024]8号"
    reader = Client()  # `client` is the editor's, who may preview drafts
    assert reader.get(notice.get_absolute_url()).status_code == 404

    editor.post(
        "/admin/documents/notice/",
        {"action": "publish_selected", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert notice.status == "published"
    category_page = client.get("/categories/belt-and-road/").content.decode()
    assert "关于测试后台录入的通知" in category_page
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert 'id="s-2"' in detail and "工作措施" in detail

    editor.post(
        "/admin/documents/notice/",
        {"action": "unpublish_selected", "_selected_action": [notice.pk]},
    )
    assert reader.get(notice.get_absolute_url()).status_code == 404


def test_a_duplicate_doc_number_is_a_form_error_and_saves_nothing(editor):
    factories.notice(doc_number="测发[2024]8号")
    before = Notice.objects.count()
    response = editor.post("/admin/documents/notice/add/", notice_form())
    assert response.status_code == 200
    assert "已有发文字号相同的文件" in response.content.decode()
    assert Notice.objects.count() == before


def test_issuing_bodies_are_chosen_by_autocomplete(editor):
    factories.body("国家发展改革委")
    factories.body("财政部")
    response = editor.get(
        "/admin/autocomplete/",
        {
            "app_label": "documents",
            "model_name": "notice",
            "field_name": "lead_issuer",
            "term": "发展",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["国家发展改革委"]


def test_change_form_shows_sections_in_order(editor):
    notice = factories.notice(sections=3)
    page = editor.get(f"/admin/documents/notice/{notice.pk}/change/").content.decode()
    assert page.index("第1项要求") < page.index("第2项要求") < page.index("第3项要求")


# --- import from text ------------------------------------------------------------------------

SEED_PATH = "documents/sample_data/regional-economy/notice-fagai-diqu-2016-1771.txt"
IMPORT_URL = "/admin/documents/notice/import/"


def seed_text():
    with open(SEED_PATH, encoding="utf-8") as seed:
        return seed.read()


def test_import_preview_shows_every_field_and_the_unit_tree_and_saves_nothing(editor):
    response = editor.post(IMPORT_URL, {"text": seed_text(), "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "發改地區[2016]1771號",
        "國家發展改革委",
        "2016-08-16",
        "2016-10-19",
        "各省、自治區、直轄市人民政府",
        "(二十五)",
        "強化上下聯動協作",
        "六、",
        "保存为草稿",
    ]:
        assert text in page, text
    preview = page[page.index("解析预览") : page.index("<form")]
    assert "(di)" not in preview and "(di)" in page  # the raw text stays in the form for editing
    assert Notice.objects.count() == 0


def test_import_save_creates_a_draft_and_opens_its_change_form(editor, client):
    region = factories.category()
    response = editor.post(
        IMPORT_URL,
        {"text": seed_text(), "save": "1", "confirm_new_bodies": "1", "categories": [region.pk]},
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/documents/notice/{notice.pk}/change/"
    assert notice.status == "draft"
    assert notice.sections.filter(kind="chapter").count() == 6
    assert notice.sections.filter(kind="section").count() == 25
    assert list(notice.categories.all()) == [region]
    assert Client().get(notice.get_absolute_url()).status_code == 404  # a reader's
    change = editor.get(response["Location"]).content.decode()
    assert "已保存为草稿" in change


def test_import_by_file_upload(editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("seed.txt", seed_text().encode("gb18030"))
    response = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert "強化上下聯動協作" in response.content.decode()
    bad = SimpleUploadedFile("seed.exe", b"MZ")
    response = editor.post(IMPORT_URL, {"file": bad, "preview": "1"})
    assert "只接受" in response.content.decode()
    damaged = SimpleUploadedFile("seed.pdf", b"%PDF-1.4")
    response = editor.post(IMPORT_URL, {"file": damaged, "preview": "1"})
    assert "无法读取这个 PDF 文件" in response.content.decode()
    assert Notice.objects.count() == 0


MARKUP_NOTICE = (
    "国务院办公厅关于<b>规范</b>网页<p>标签写法的通知\n国办发〔2030〕99号\n\n"
    "各省、自治区、直辖市人民政府：\n现就有关事项通知如下。\n\n国务院办公厅\n2030年1月5日\n"
)


def test_an_uploaded_text_file_is_text_and_a_web_page_is_html(editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    as_text = SimpleUploadedFile("notice.txt", MARKUP_NOTICE.encode())
    response = editor.post(IMPORT_URL, {"file": as_text, "preview": "1"})
    assert response.context["parsed"].title == "国务院办公厅关于<b>规范</b>网页<p>标签写法的通知"
    assert "关于&lt;b&gt;规范&lt;/b&gt;网页" in response.content.decode()  # shown, escaped
    as_page = SimpleUploadedFile("notice.html", MARKUP_NOTICE.encode())
    response = editor.post(IMPORT_URL, {"file": as_page, "preview": "1"})
    assert "<b>" not in response.context["parsed"].title


def test_import_by_file_upload_reads_big5(editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("seed.txt", seed_text().encode("big5", errors="ignore"))
    response = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert "強化上下聯動協作" in response.content.decode()


def test_import_refuses_text_without_title_or_body(editor):
    for text in ["", "   \n  ", "！！！"]:
        response = editor.post(IMPORT_URL, {"text": text, "save": "1"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "请粘贴文件全文" in page or "没有识别出" in page, text
    assert Notice.objects.count() == 0


def test_import_of_an_archived_notice_shows_the_duplicate_and_saves_nothing(editor):
    editor.post(IMPORT_URL, {"text": seed_text(), "save": "1", "confirm_new_bodies": "1"})
    existing = Notice.objects.get()
    response = editor.post(IMPORT_URL, {"text": seed_text(), "save": "1"})
    page = response.content.decode()
    assert "重复" in page
    assert f"/admin/documents/notice/{existing.pk}/change/" in page
    assert Notice.objects.count() == 1


def test_import_page_needs_the_add_permission(client):
    client.force_login(User.objects.create_user("reader", is_staff=True))
    assert client.get(IMPORT_URL).status_code == 403
    assert Notice.objects.count() == 0


def test_changelist_links_to_the_import_page(editor):
    assert IMPORT_URL in editor.get("/admin/documents/notice/").content.decode()


def test_pasting_a_notice_without_doc_number_twice_leaves_one(editor):
    text = (
        "国务院办公厅关于做好汛期防汛工作的通知\n\n各省、自治区、直辖市人民政府：\n"
        "请认真做好防汛工作。\n\n国务院办公厅\n2030年5月6日\n"
    )
    editor.post(IMPORT_URL, {"text": text, "save": "1", "confirm_new_bodies": "1"})
    response = editor.post(IMPORT_URL, {"text": text, "save": "1", "confirm_new_bodies": "1"})
    assert "同一标题、同一成文日期" in response.content.decode()
    assert Notice.objects.count() == 1


def test_a_body_the_archive_does_not_know_is_created_only_when_confirmed(editor):
    from documents.models import IssuingBody

    text = '=HYPERLINK("http://evil")' + seed_text()
    preview = editor.post(IMPORT_URL, {"text": text, "preview": "1"})
    assert preview.context["new_bodies"] == ["国家发展改革委"]  # not the formula
    assert "本库尚无，保存时将新建：国家发展改革委" in preview.content.decode()
    unconfirmed = editor.post(IMPORT_URL, {"text": text, "save": "1"})
    assert "请确认新建发文机关：国家发展改革委" in unconfirmed.content.decode()
    assert (Notice.objects.count(), IssuingBody.objects.count()) == (0, 0)
    editor.post(IMPORT_URL, {"text": text, "save": "1", "confirm_new_bodies": "1"})
    assert list(IssuingBody.objects.values_list("name", flat=True)) == ["国家发展改革委"]
    Notice.objects.all().delete()
    known = editor.post(IMPORT_URL, {"text": seed_text(), "save": "1"})  # the body exists now
    assert known.status_code == 302 and Notice.objects.count() == 1


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_an_uploaded_word_document_or_pdf_is_previewed_then_saved(editor, suffix):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    path = Path(__file__).parent / "data" / "files" / f"notice-fagai-diqu-2016-1771.{suffix}"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    preview = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert "強化上下聯動協作" in preview.content.decode()
    # A browser does not send the chosen file again: the save posts the previewed text.
    form = preview.context["form"]
    assert form["source_kind"].value() == "text"  # not looked at for markup when saved
    saved = editor.post(
        IMPORT_URL,
        {
            "text": form["text"].value(),
            "source_kind": form["source_kind"].value(),
            "save": "1",
            "confirm_new_bodies": "1",
        },
    )
    assert saved.status_code == 302
    assert Notice.objects.get().sections.filter(kind="section").count() == 25


def test_the_admin_speaks_chinese_for_nul_characters_the_lockout_and_the_chooser(editor):
    data = notice_form(title="关于\x00测试的通知")
    page = editor.post("/admin/documents/notice/add/", data).content.decode()
    assert "不能包含空字符" in page and "不允许是用空字符串" not in page
    index = editor.get("/admin/").content.decode()
    assert "登录保护" in index and "登录尝试" in index and "Access attempts" not in index
    catalog = editor.get("/admin/jsi18n/").content.decode()
    assert '"Choose all %s": "\\u5168\\u9009%s"' in catalog  # 全选%s


def test_a_paste_over_the_limit_is_a_form_error_that_keeps_the_text(editor):
    long_paste = seed_text() + "附表。" * 700_000  # about 6.3 MB in UTF-8
    response = editor.post(IMPORT_URL, {"text": long_paste[: 5_900_000 // 3], "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "全文超过 5 MB" in page
    assert "國家發展改革委關于印發" in page  # the paste is still in the box
    assert Notice.objects.count() == 0


def test_a_paste_of_three_megabytes_is_previewed(editor):
    paste = seed_text() + "\n" + "附表说明。" * 200_000  # 3 MB: over Django's 2.5 MB default
    response = editor.post(IMPORT_URL, {"text": paste, "preview": "1"})
    assert response.status_code == 200
    assert "強化上下聯動協作" in response.content.decode()


def test_an_uploaded_file_is_kept_with_the_notice_after_preview_and_save(editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = seed_text().encode("gb18030")
    response = editor.post(IMPORT_URL, {"file": SimpleUploadedFile("发改地区1771.txt", data)})
    token = response.context["form"].initial["source_upload"]
    assert "原始文件 发改地区1771.txt 保存时一并留存" in response.content.decode()
    # The preview's form sends the text and the token back, not the file.
    response = editor.post(
        IMPORT_URL,
        {
            "text": seed_text(),
            "source_kind": "text",
            "source_upload": token,
            "save": "1",
            "confirm_new_bodies": "1",
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.source_file.name.endswith(".txt")
    assert notice.source_file.read() == data
    from documents import uploads

    assert uploads.stashed_upload(token) is None  # the stash is gone once saved


@pytest.mark.parametrize(
    "token", ["../../settings.py", "0" * 64 + "/x.txt", "a" * 64 + "/..", "abc"]
)
def test_a_made_up_or_stale_file_token_is_an_error_and_saves_nothing(editor, token):
    response = editor.post(
        IMPORT_URL,
        {"text": seed_text(), "source_upload": token, "save": "1", "confirm_new_bodies": "1"},
    )
    assert response.status_code == 200
    assert "原始文件已失效" in response.content.decode()
    assert Notice.objects.count() == 0


def test_preview_warnings_point_at_the_lines_they_are_about(editor):
    text = (
        "国务院办公厅关于核对行号的通知\n国办发〔2030〕9号\n\n各省、自治区、直辖市人民政府：\n"
        "现将有关事项通知如下。\n一、总体要求\n（一）第一项。\n（三）第三项。\n二、工作安排\n"
        "国务院办公厅\n2030年1月5日\n"
    )
    response = editor.post(IMPORT_URL, {"text": text, "preview": "1"})
    page = response.content.decode()
    assert "<strong>第 8 行：</strong>编号不连续：跳到“（三）”" in page
    assert "<strong>第 11 行：</strong>成文日期 2030-01-05 在今天之后" in page
    assert Notice.objects.count() == 0


def test_a_duplicate_can_be_skipped_or_overwritten_from_the_preview(editor):
    editor.post(IMPORT_URL, {"text": seed_text(), "save": "1", "confirm_new_bodies": "1"})
    existing = Notice.objects.get()
    changed = seed_text().replace("積極主動作為", "積極主動有為")
    preview = editor.post(IMPORT_URL, {"text": changed, "preview": "1"}).content.decode()
    assert 'name="update" value="覆盖更新现有文件"' in preview
    assert "跳过" in preview
    response = editor.post(IMPORT_URL, {"text": changed, "update": "1"})
    assert response.status_code == 302
    assert Notice.objects.count() == 1
    notice = Notice.objects.get()
    assert notice.pk == existing.pk
    assert notice.sections.filter(text__contains="積極主動有為").exists()
    from reversion.models import Version

    assert Version.objects.get_for_object(notice).count() == 2  # the overwritten one kept


def test_an_editor_cannot_overwrite_a_published_notice(client):
    from django.contrib.auth.models import Group

    from documents import services

    editor = User.objects.create_user("drafts-only", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    client.force_login(editor)
    client.post(IMPORT_URL, {"text": seed_text(), "save": "1", "confirm_new_bodies": "1"})
    services.publish(Notice.objects.all())
    preview = client.post(IMPORT_URL, {"text": seed_text(), "preview": "1"}).content.decode()
    assert 'name="update"' not in preview
    assert client.post(IMPORT_URL, {"text": seed_text(), "update": "1"}).status_code == 403
    assert Notice.objects.get().sections.count() > 0
