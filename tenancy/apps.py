from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from . import checks, rls  # noqa: F401  (registers the deploy check; connects the row-level-security hooks)
