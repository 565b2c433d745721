"""``migrate`` runs as the role that owns the tables (the ``owner`` connection), not the runtime role.

The runtime role owns nothing and may not create tables; after migrating, the owner installs
the row-level-security policies and grants the runtime role its reads and writes
(``tenancy.rls``). ``--database default`` still works, for a one-role setup.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from config.settings.database import OWNER_ALIAS


class Command(DjangoMigrateCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=OWNER_ALIAS)
