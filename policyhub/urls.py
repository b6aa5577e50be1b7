from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import TemplateView

from documents.conditional import cached_by_generation
from documents.sitemaps import SITEMAPS

admin.site.site_header = "PolicyHub 政策文件库管理"
admin.site.site_title = "PolicyHub 管理"
admin.site.index_title = "内容管理"


def healthz(request):
    """Liveness for a load balancer: the process answers, without touching the database. Also
    the floor the scale benchmark compares pages with (Django's request cycle, no work)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # set_language (POST language, next): the 简体/繁體 switch in every page's header.
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "sitemap.xml",
        cached_by_generation(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_by_generation(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots-txt",
    ),
    path("", include("documents.urls")),
]
