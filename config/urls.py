from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("qudao_api.urls")),
    path("", include("tenancy.urls")),
    path("t/<slug:tenant_slug>/", include("partners.urls")),
    path("t/<slug:tenant_slug>/", include("facts.urls")),
    path("t/<slug:tenant_slug>/", include("targets.urls")),
    path("t/<slug:tenant_slug>/", include("scoring.urls")),
    path("t/<slug:tenant_slug>/", include("settlements.urls")),
]
