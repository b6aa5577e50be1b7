from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import api, feeds, views
from .api import router as api_router
from .export import notice_export

app_name = "documents"

urlpatterns = [
    path("", views.home, name="home"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("issuers/<slug:slug>/", views.IssuerDetailView.as_view(), name="issuer-detail"),
    path("notices/export.csv", notice_export, name="notice-export"),
    path("api/", include(api_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    re_path(r"^api/[\s\S]*/$", api.not_found, name="api-not-found"),
    path("feeds/rss/", feeds.LatestNoticesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestNoticesAtomFeed(), name="feed-atom"),
    path(
        "feeds/categories/<slug:slug>/rss/",
        feeds.CategoryNoticesFeed(),
        name="category-feed-rss",
    ),
    path(
        "feeds/categories/<slug:slug>/atom/",
        feeds.CategoryNoticesAtomFeed(),
        name="category-feed-atom",
    ),
    path("feeds/issuers/<slug:slug>/rss/", feeds.IssuerNoticesFeed(), name="issuer-feed-rss"),
    path("feeds/issuers/<slug:slug>/atom/", feeds.IssuerNoticesAtomFeed(), name="issuer-feed-atom"),
]
