#!/bin/sh
# Runs once, when the PostgreSQL volume is new (docker-entrypoint-initdb.d): Qudao's two roles and
# its database. qudao owns the database and its tables and runs the migrations; qudao_app serves the
# web and the workers, owns nothing, is no superuser and cannot bypass row-level security (the
# tenant wall: README, "The tenant wall"). The migrations grant qudao_app its reads and writes.
set -eu
psql -v ON_ERROR_STOP=1 -v owner_password="${QUDAO_OWNER_PASSWORD:-qudao}" -v app_password="${QUDAO_DB_PASSWORD:-qudao_app}" \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'EOSQL'
CREATE ROLE qudao LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE qudao_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE qudao OWNER qudao;
EOSQL
