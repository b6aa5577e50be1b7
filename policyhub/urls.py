from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "PolicyHub 政策文件库管理"
admin.site.site_title = "PolicyHub 管理"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("documents.urls")),
]
