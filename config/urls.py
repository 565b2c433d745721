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
    path("t/<slug:tenant_slug>/", include("incentives.urls")),
    path("t/<slug:tenant_slug>/", include("notifications.urls")),
    path("t/<slug:tenant_slug>/", include("diligence.urls")),
    path("t/<slug:tenant_slug>/", include("risk.urls")),
    path("t/<slug:tenant_slug>/", include("deals.urls")),
    path("t/<slug:tenant_slug>/", include("leads.urls")),
    path("t/<slug:tenant_slug>/", include("communication.urls")),
    path("t/<slug:tenant_slug>/", include("funds.urls")),
    path("t/<slug:tenant_slug>/", include("screening.urls")),
]

# Errors raised outside the views (a middleware's 404, an unknown route, a server error): JSON
# under /api/, Django's pages elsewhere.
handler400 = "qudao_api.errors.bad_request"
handler403 = "qudao_api.errors.permission_denied"
handler404 = "qudao_api.errors.page_not_found"
handler500 = "qudao_api.errors.server_error"
