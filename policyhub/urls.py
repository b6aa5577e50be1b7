from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django.views.i18n import set_language

from documents.conditional import cached_by_generation
from documents.sitemaps import SITEMAPS, notice_sitemap

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
    # The 简体/繁體 switch in every page's header (POST language, next). Without a CSRF token,
    # unlike Django's own route: a token in every public page set a csrftoken cookie on every
    # anonymous reader, made each page differ per reader (no shared cache, no CDN) and cost
    # about 0.3 ms of CPU per reading without a cookie, 15 % of a cached notice page's. A
    # forged request can do no more than switch a reader's script; `next` is still checked
    # against the site's own hosts. The admin and its forms keep Django's CSRF protection.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path(
        "sitemap.xml",
        cached_by_generation(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    # (Before the other sections: its pages are made without Django's per-notice work.)
    path("sitemap-notices.xml", cached_by_generation(notice_sitemap)),
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
