"""sitemap.xml: the published notices, the categories and the issuing bodies' pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q

from .models import Category, CoIssuer, IssuingBody, Notice

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
