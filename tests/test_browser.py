"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

No browser is downloaded: Playwright's Python package carries its driver, and the browser is the
system's (``/usr/bin/chromium``, or ``POLICYHUB_CHROMIUM``). Without it these tests skip; with
``POLICYHUB_REQUIRE_BROWSER=1`` (set by CI) a missing browser is a failure instead.
"""

import os
import re
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from documents.models import Category, Notice, Section

CHROMIUM = os.environ.get("POLICYHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "documents" / "sample_data"
SEED = SAMPLE_DATA / "regional-economy" / "notice-fagai-diqu-2016-1771.txt"
# The seed is written in traditional characters; pages may show it converted to the reader's script.
SEED_TITLE = re.compile(
    "^(國家發展改革委關于印發貫徹落實區域發展戰略促進區域協調發展的指導意見的通知"
    "|国家发展改革委关于印发贯彻落实区域发展战略促进区域协调发展的指导意见的通知)$"
)

pytestmark = pytest.mark.browser


def _missing_browser():
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set POLICYHUB_CHROMIUM)"
    return None


# Module scope: the flag below is lifted only while this module runs.
@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("POLICYHUB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (POLICYHUB_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls from the test body ("cannot call this from an async context"). The tests are
    # synchronous code; only the browser talks to the live server, from its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def archive(live_server):
    """The regional-economy sample notices, published, on the live server's database.

    The live server needs a transactional database, which is emptied after each test, so the
    menu categories of the data migration are put back here."""
    seed_categories = import_module("documents.migrations.0002_seed_categories").CATEGORIES
    for order, (name, slug) in enumerate(seed_categories, start=1):
        Category.objects.update_or_create(slug=slug, defaults={"name": name, "menu_order": order})
    call_command(
        "import_notices",
        str(SAMPLE_DATA / "regional-economy"),
        category=["regional-economy"],
        stdout=StringIO(),
    )
    return live_server


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def _in_viewport(page, selector):
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }",
    )


def test_reader_browses_a_category_and_opens_the_seed_notice(archive, page):
    page.goto(archive.url + "/")
    page.get_by_role("navigation", name="政策分类").get_by_role(
        "link", name=re.compile("区域经济政策")
    ).click()
    page.wait_for_url("**/categories/regional-economy/")
    assert page.locator("h1").inner_text() == "区域经济政策"

    page.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    assert SEED_TITLE.match(page.locator("h1").inner_text())
    assert re.search("(發改地區|发改地区)", page.locator("table.meta").inner_text())


def test_table_of_contents_jumps_to_section_twenty_five(archive, page):
    notice = Notice.objects.get(doc_number="發改地區[2016]1771號")
    page.goto(archive.url + notice.get_absolute_url())

    page.locator("nav.toc").get_by_role("link", name=re.compile(r"^\(二十五\)")).click()
    page.wait_for_url("**#s-25")
    assert page.evaluate("location.hash") == "#s-25"
    assert _in_viewport(page, "#s-25")
    assert re.search(
        "(強化上下聯動協作|强化上下联动协作)", page.locator("#s-25 .unit-heading").inner_text()
    )


def test_keyboard_user_skips_to_main_content_with_a_visible_focus(archive, page):
    page.goto(archive.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and _in_viewport(page, ".skip-link")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"


def test_search_in_simplified_and_traditional_finds_the_same_notices(archive, page):
    results = []
    for query in ["区域协调", "區域協調"]:
        page.goto(archive.url + "/")
        page.get_by_role("searchbox", name="搜索政策文件").fill(query)
        page.get_by_role("searchbox", name="搜索政策文件").press("Enter")
        page.wait_for_url("**/notices/?q=*")
        results.append(page.locator(".results .notice-title").all_inner_texts())
    assert results[0], "区域协调 should find the seed notice"
    assert any(SEED_TITLE.match(title) for title in results[0])
    assert results[0] == results[1]


@pytest.mark.parametrize("path", ["/", "/notices/", "/categories/regional-economy/", "seed"])
def test_pages_fit_a_360px_phone_without_sideways_scrolling(archive, browser, path):
    if path == "seed":
        path = Notice.objects.get(doc_number="發改地區[2016]1771號").get_absolute_url()
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    phone = context.new_page()
    phone.goto(archive.url + path)
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0


def test_editor_imports_the_seed_through_the_admin(archive, page, django_user_model):
    Notice.objects.all().delete()
    django_user_model.objects.create_superuser("editor", "editor@example.com", "browser-test-pw")
    page.goto(archive.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "browser-test-pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(archive.url + "/admin/documents/notice/import/")
    page.fill("textarea", SEED.read_text(encoding="utf-8"))
    page.get_by_role("checkbox", name="区域经济政策").check()
    page.get_by_role("button", name="预览解析结果").click()
    assert "发改地区" in page.locator(".parsed-fields").inner_text().replace("發改地區", "发改地区")
    page.get_by_role("button", name="保存为草稿").click()

    page.wait_for_url(re.compile(r"/admin/documents/notice/\d+/change/$"))
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.DRAFT
    kinds = page.eval_on_selector_all(
        "select[name$='-kind']:not([name*='__prefix__'])", "els => els.map(e => e.value)"
    )
    assert kinds.count(Section.Kind.CHAPTER) == 6
    assert kinds.count(Section.Kind.SECTION) == 25
    assert "已保存为草稿" in page.locator(".messagelist").inner_text()


def test_reader_switches_to_traditional_and_back_on_the_same_page(archive, page):
    page.goto(archive.url + "/categories/regional-economy/?sort=oldest")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.get_by_role("heading", name="政策分类").is_visible()

    page.get_by_role("button", name="繁體").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "zh-Hant"
    assert page.get_by_role("heading", name="政策分類").is_visible()
    assert page.url.endswith("/categories/regional-economy/?sort=oldest")

    page.get_by_role("button", name="简体").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.get_by_role("heading", name="政策分类").is_visible()
    assert page.url.endswith("/categories/regional-economy/?sort=oldest")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def test_on_a_phone_the_results_start_on_the_first_screen(archive, phone):
    phone.goto(archive.url + "/notices/?q=" + "区域协调")
    first = phone.locator(".notice-row").first.bounding_box()
    assert first["y"] < 844, first
    assert phone.locator("details.more-filters").get_attribute("open") is None
    phone.locator("details.more-filters summary").click()
    assert phone.locator("#id_year").is_visible()


def test_on_a_phone_the_toc_is_folded_and_a_button_leads_back_to_it(archive, phone):
    notice = Notice.objects.get(doc_number="發改地區[2016]1771號")
    phone.goto(archive.url + notice.get_absolute_url())
    assert not phone.locator("nav.toc").is_visible()  # the sidebar's, for wide screens
    toc = phone.locator("details.toc-mobile")
    assert toc.get_attribute("open") is None
    assert not toc.get_by_role("link", name=re.compile(r"^\(二十五\)")).is_visible()
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    back = phone.get_by_role("link", name=re.compile("目录"))
    assert back.is_visible()
    back.click()
    phone.locator("details.toc-mobile summary").click()
    link = toc.get_by_role("link", name=re.compile(r"^\(二十五\)"))
    assert link.is_visible()
    link.click()
    phone.wait_for_url("**#s-25")


def test_on_a_wide_screen_the_toc_stays_beside_a_long_notice(archive, page):
    notice = Notice.objects.get(doc_number="發改地區[2016]1771號")
    page.goto(archive.url + notice.get_absolute_url() + "#s-20")
    assert _in_viewport(page, "#s-20")
    assert _in_viewport(page, "nav.toc")  # sticky in the left column, 10,000 px down
    assert not page.locator("details.toc-mobile").is_visible()


def test_on_a_phone_home_shows_the_categories_before_the_latest_notices(archive, phone):
    phone.goto(archive.url + "/")
    menu = phone.get_by_role("navigation", name="政策分类").bounding_box()
    latest = phone.locator("#latest-heading").bounding_box()
    assert menu["y"] < latest["y"] and menu["y"] < 844
