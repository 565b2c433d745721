from django.urls import path

from . import views

app_name = "facts"
urlpatterns = [
    path("data/sales/", views.SaleListView.as_view(), name="sales"),
    path("data/invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("data/payments/", views.PaymentListView.as_view(), name="payments"),
    path("data/writeoffs/", views.WriteOffListView.as_view(), name="writeoffs"),
    path("data/sales/<int:pk>/", views.SaleDetailView.as_view(), name="sales-detail"),
    path("data/invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoices-detail"),
    path("data/payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payments-detail"),
    path("data/writeoffs/<int:pk>/", views.WriteOffDetailView.as_view(), name="writeoffs-detail"),
    path("data/imports/<int:pk>/", views.ImportJobView.as_view(), name="import"),
    path("partners/<int:pk>/account/", views.PartnerAccountView.as_view(), name="account"),
]
for kind in views.KIND_MODELS:
    urlpatterns += [
        path(f"data/{kind}/upload/", views.UploadView.as_view(), {"kind": kind}, name=f"upload-{kind}"),
        path(f"data/{kind}/template/", views.TemplateDownloadView.as_view(), {"kind": kind}, name=f"template-{kind}"),
    ]
