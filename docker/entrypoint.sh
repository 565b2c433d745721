#!/bin/sh
# The image's entrypoint. Before the web process or a Celery worker or beat starts, make sure the
# database role it connects as (DATABASE_URL) cannot take the tenant wall down: no superuser, no
# BYPASSRLS, owner of nothing, no TRUNCATE (tenancy/checks.py). Anything else runs as given.
set -eu
case "${1:-}" in
    gunicorn | celery)
        python manage.py check --deploy --tag database_role --fail-level ERROR
        ;;
esac
exec "$@"
