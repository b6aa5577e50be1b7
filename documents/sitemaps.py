"""sitemap.xml: the published notices, the categories and the issuing bodies' pages."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.db.models import Exists, Max, OuterRef, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.timezone import get_current_timezone

from .models import MAX_BIGINT, Category, CoIssuer, IssuingBody, Notice

PUBLISHED = Notice.Status.PUBLISHED


class NoticeSitemap(Sitemap):
    """Every published notice, at its own URL, last modified when it was last saved."""

    changefreq = "monthly"
    priority = 0.8
    # Well under the protocol's 50,000 URLs a file; beyond it the index pages the sitemap.
    limit = 5000

    def items(self):
        return Notice.objects.published().only("id", "updated_at").order_by("id")

    def lastmod(self, notice):
        return notice.updated_at

    def get_latest_lastmod(self):
        # The index asks for this; one aggregate instead of loading every notice.
        return Notice.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class CategorySitemap(Sitemap):
    """The category pages, last modified when their newest published notice was saved."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Category.objects.annotate(
            last_updated=Max("notices__updated_at", filter=Q(notices__status=PUBLISHED))
        ).order_by("menu_order", "name")

    def lastmod(self, category):
        return category.last_updated

    def get_latest_lastmod(self):
        # Categories without notices have no lastmod; the default max() would give up on them.
        return max(filter(None, map(self.lastmod, self.items())), default=None)


class IssuerSitemap(Sitemap):
    """The pages of issuing bodies that issued (alone or jointly) a published notice."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        led = Notice.objects.published().filter(lead_issuer=OuterRef("pk"))
        joint = CoIssuer.objects.filter(body=OuterRef("pk"), notice__status=PUBLISHED)
        return IssuingBody.objects.filter(Exists(led) | Exists(joint)).order_by("name")


SITEMAPS = {"notices": NoticeSitemap, "categories": CategorySitemap, "issuers": IssuerSitemap}


# Django's sitemap.xml template, as it renders: its {% spaceless %} joins the entries.
URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n%s\n</urlset>\n'
)


@x_robots_tag
def notice_sitemap(request):
    """A page of the notice sitemap (``/sitemap-notices.xml?p=N``), as Django's sitemap view
    writes it, from the ids and dates alone: Django's view makes a model instance, reverses a
    URL and renders a template loop per notice, 1.9–3.1 s for a page of 5,000 on a busy
    machine, which every first visit after a change waited for."""
    sitemap = NoticeSitemap()
    page = request.GET.get("p", 1)
    try:
        number = int(page)
    except (TypeError, ValueError) as error:
        raise Http404(f"No page '{page}'") from error
    if not 1 <= number <= MAX_BIGINT // sitemap.limit:  # (an OFFSET past 2⁶³ is an error)
        raise Http404(f"Page {page} empty")
    # The page's rows, without the count of every published notice that a paginator makes
    # first: a page past the last is simply empty.
    start = (number - 1) * sitemap.limit
    rows = list(sitemap.items().values_list("pk", "updated_at")[start : start + sitemap.limit])
    if not rows and number > 1:
        raise Http404(f"Page {page} empty")
    # The notice URL once, its id put in per notice (get_absolute_url's URL, without a
    # reversal per notice).
    before, after = reverse("documents:notice-detail", kwargs={"pk": 0}).rsplit("0", 1)
    before = str(escape(f"{request.scheme}://{request.get_host()}{before}"))
    after = str(escape(after))
    zone = get_current_timezone()  # the template's dates are the site's (Asia/Shanghai)
    entries = "".join(
        f"<url><loc>{before}{pk}{after}</loc>"
        f"<lastmod>{updated.astimezone(zone):%Y-%m-%d}</lastmod>"
        f"<changefreq>{sitemap.changefreq}</changefreq>"
        f"<priority>{sitemap.priority}</priority></url>"
        for pk, updated in rows
    )
    latest = max((updated for _, updated in rows), default=None)
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    return HttpResponse(URLSET % entries, content_type="application/xml", headers=headers)
