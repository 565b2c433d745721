"""``create_tenant SLUG --name N --admin-email E --admin-password P``: a new vendor, ready to log in."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tenancy.models import Tenant
from tenancy.services import tenant_create

CURRENCY = re.compile(r"^[A-Z]{3}$")


def validation_error_text(error: ValidationError) -> str:
    """One line per field, the way an operator reads it in a terminal."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a tenant (a vendor) with the default tiers and its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The tenant's address: /t/<slug>/ (lower-case letters, digits, hyphens).")
        parser.add_argument("--name", required=True, help="The vendor's name as its users see it.")
        parser.add_argument("--admin-email", required=True, help="The first administrator's e-mail (their login).")
        parser.add_argument(
            "--admin-password",
            help="The administrator's password; needed only when no user with that e-mail exists yet.",
        )
        parser.add_argument(
            "--language",
            default=Tenant.Language.ZH_HANS,
            choices=Tenant.Language.values,
            help="The tenant's language (names of the default tiers). Default: zh-hans.",
        )
        parser.add_argument("--currency", default="CNY", help="ISO 4217 code of the tenant's money. Default: CNY.")
        parser.add_argument("--timezone", default="Asia/Shanghai", help="IANA time zone. Default: Asia/Shanghai.")

    def handle(self, *args, slug, name, admin_email, admin_password, language, currency, timezone, **options):
        currency = currency.strip().upper()
        if not CURRENCY.match(currency):
            raise CommandError(_("--currency must be a three-letter ISO 4217 code such as CNY or USD."))
        if Tenant.objects.filter(slug=slug).exists():
            raise CommandError(_("A tenant with the slug “%(slug)s” already exists.") % {"slug": slug})
        try:
            tenant = tenant_create(
                slug=slug,
                name=name,
                admin_email=admin_email,
                admin_password=admin_password,
                language=language,
                currency=currency,
                timezone=timezone,
            )
        except ValidationError as error:
            raise CommandError(validation_error_text(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Created tenant “%(name)s” at /t/%(slug)s/; administrator: %(email)s.")
                % {"name": tenant.name, "slug": tenant.slug, "email": admin_email.strip().lower()}
            )
        )
