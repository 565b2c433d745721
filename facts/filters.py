"""FilterSets for facts, shared by the pages, the exports and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, MatchFilter, PartnerMatchFilter

from .models import Invoice, Payment, Sale, WriteOff


class FactFilter(FilterSet):
    partner = PartnerMatchFilter(label=_("Partner (code or name)"))
    external_id = MatchFilter(field_name="external_id", label=_("External id"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))


class SaleFilter(FactFilter):
    customer = MatchFilter(field_name="customer", label=_("Customer"))
    product_category = MatchFilter(field_name="product_category", label=_("Product category"))

    class Meta:
        model = Sale
        fields = ["partner", "external_id", "date_from", "date_to", "customer", "product_category"]


class InvoiceFilter(FactFilter):
    date_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte", label=_("Issued from"))
    date_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte", label=_("Issued to"))
    number = MatchFilter(field_name="number", label=_("Invoice number"))

    class Meta:
        model = Invoice
        fields = ["partner", "external_id", "date_from", "date_to", "number"]


class PaymentFilter(FactFilter):
    class Meta:
        model = Payment
        fields = ["partner", "external_id", "date_from", "date_to"]


class WriteOffFilter(FactFilter):
    class Meta:
        model = WriteOff
        fields = ["partner", "external_id", "date_from", "date_to"]


FILTERS = {"sales": SaleFilter, "invoices": InvoiceFilter, "payments": PaymentFilter, "writeoffs": WriteOffFilter}
