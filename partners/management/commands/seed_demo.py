"""``seed_demo``: two demo vendors with about 200 partners and a login for every role."""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.catalog import DEFAULT_PARTNERS_PER_TENANT, DEMO_PASSWORD
from demo.seed import DemoIncomplete, Login, seed_demo


def display_width(text: str) -> int:
    """Columns in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


class Command(BaseCommand):
    help = (
        "Create the demo tenants huaxin (华信科技, Chinese) and northwind (Northwind Systems, English) "
        "with partners, contacts, contracts, history and a login for every role; print the logins. "
        "If they exist already, only print the logins (--reset drops and recreates them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Drop the demo tenants and their users first.")
        parser.add_argument(
            "--partners",
            type=int,
            default=DEFAULT_PARTNERS_PER_TENANT,
            help=f"Partners per tenant (default {DEFAULT_PARTNERS_PER_TENANT}; at least 2).",
        )

    def handle(self, *args, reset: bool, partners: int, **options):
        if partners < 2:
            raise CommandError(_("--partners must be at least 2 (the demo's partner logins belong to two of them)."))
        started = time.monotonic()
        try:
            result = seed_demo(partners_per_tenant=partners, reset=reset)
        except DemoIncomplete as error:
            raise CommandError(
                _("Only some demo tenants exist (%(slugs)s); run seed_demo --reset to make the demo again.")
                % {"slugs": error}
            ) from error
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(_("Demo data created in %(seconds).1f s.") % {"seconds": time.monotonic() - started})
            )
        else:
            self.stdout.write(_("The demo tenants exist already (seed_demo --reset makes them again)."))
        self.print_logins(result.logins)

    def print_logins(self, logins: list[Login]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins — password for all: %s") % DEMO_PASSWORD))
        rows = [(_("tenant"), _("role"), _("e-mail"), _("partner"))]
        rows += [(login.tenant, login.role, login.email, login.partner) for login in logins]
        widths = [max(display_width(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            cells = [cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write(f"  {'  '.join(cells)}  {row[3]}".rstrip())
        shared = sorted({login.email for login in logins if sum(other.email == login.email for other in logins) > 1})
        if shared:
            self.stdout.write(
                _("  %(emails)s belongs to both tenants: after login, Qudao asks which one to open.")
                % {"emails": ", ".join(shared)}
            )
