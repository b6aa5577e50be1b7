from django.urls import path

from . import feeds, views

app_name = "documents"

urlpatterns = [
    path("", views.home, name="home"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("issuers/<slug:slug>/", views.IssuerDetailView.as_view(), name="issuer-detail"),
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
