import datetime

from django.utils import timezone


def tenant_today(tenant) -> datetime.date:
    """Today in the tenant's own time zone."""
    return timezone.now().astimezone(tenant.zone).date()
