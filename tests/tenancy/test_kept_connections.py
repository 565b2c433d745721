"""A process keeps its database connection between requests (CONN_MAX_AGE), and no tenant rides along on it."""

from __future__ import annotations

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tenancy.rls import TENANT_SETTING
from tenancy.roles import Role


@pytest.mark.django_db(transaction=True)
def test_the_next_request_reuses_the_connection_with_no_tenant_left_on_it(world):
    acme = world["acme"]
    client = Client()
    client.force_login(acme.member(Role.ADMIN).user)
    backends = []
    for path in (f"/t/{acme.tenant.slug}/", f"/t/{acme.tenant.slug}/partners/"):
        assert client.get(path).status_code == 200
        close_old_connections()  # what the end of every request does in a server (request_finished)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting(%s, true)", [TENANT_SETTING])
            backend, tenant_setting = cursor.fetchone()
        assert tenant_setting in (None, "")  # the request's tenant ended with its transaction
        backends.append(backend)
    assert backends[0] == backends[1]  # one PostgreSQL backend served both requests
