#!/bin/sh
# Runs once, when the PostgreSQL volume is new (docker-entrypoint-initdb.d): the app's own role,
# which is not a superuser (superusers bypass row-level security, Qudao's second tenant wall),
# and its database.
set -eu
psql -v ON_ERROR_STOP=1 -v password="${QUDAO_DB_PASSWORD:-qudao}" \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'EOSQL'
CREATE ROLE qudao LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'password';
CREATE DATABASE qudao OWNER qudao;
EOSQL
