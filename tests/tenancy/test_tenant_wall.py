"""The tenant wall (SPEC §2, STYLE "The tenant wall"): the fail-closed manager and row-level security."""

import pytest
from django.apps import apps
from django.db import IntegrityError, InternalError, OperationalError, ProgrammingError, connection, transaction
from django.utils import translation
from pghistory.models import Event

from partners.models import Partner, Tier
from tenancy.context import (
    TenantScopeMissing,
    crossing_tenants,
    current_tenant,
    describing_only,
    in_tenant_scope,
    tenant_scope,
)
from tenancy.managers import TenantManager
from tenancy.models import Membership, TenantOwned


def _models_with_a_tenant_field():
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        if any(field.name == "tenant" for field in model._meta.get_fields()):
            yield model


def _is_history_event(model) -> bool:
    # Allowed: pghistory's event tables copy the tracked row (tenant included) and are read through
    # the audit selectors, which reach them from a row already in scope (partner_audit_events).
    return issubclass(model, Event)


def test_every_model_with_a_tenant_field_uses_the_fail_closed_manager():
    models = list(_models_with_a_tenant_field())
    assert Partner in models and Membership in models and Tier in models
    offenders = [
        model._meta.label
        for model in models
        if not _is_history_event(model) and not isinstance(model._default_manager, TenantManager)
    ]
    assert not offenders, f"these tenant-owned models do not use TenantManager by default: {offenders}"


def test_every_model_with_a_tenant_field_is_tenant_owned():
    offenders = [
        model._meta.label
        for model in _models_with_a_tenant_field()
        if not _is_history_event(model) and not issubclass(model, TenantOwned)
    ]
    assert not offenders, f"inherit TenantOwned: {offenders}"


def test_every_unique_constraint_of_a_tenant_owned_model_includes_the_tenant():
    offenders = []
    for model in _models_with_a_tenant_field():
        if _is_history_event(model):
            continue
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", None)
            if fields and "tenant" not in fields and getattr(constraint, "condition", None) is None:
                offenders.append(f"{model._meta.label}.{constraint.name}")
        for field in model._meta.fields:
            if field.unique and not field.primary_key:
                offenders.append(f"{model._meta.label}.{field.name}")
    assert not offenders, f"unique without the tenant: {offenders}"


@pytest.mark.parametrize("model", [Partner, Tier, Membership])
def test_querying_a_tenant_owned_model_with_no_tenant_in_scope_raises(world, model):
    assert current_tenant() is None
    with pytest.raises(TenantScopeMissing):
        list(model.objects.all())
    with pytest.raises(TenantScopeMissing):
        model.objects.filter(pk=1).exists()


def test_in_scope_the_manager_sees_only_that_tenant(world):
    with tenant_scope(world["acme"].tenant):
        assert set(Partner.objects.values_list("code", flat=True)) == {"ACME-OWN", "ACME-OTHER"}
        assert not Partner.objects.filter(pk=world["globex"].own.pk).exists()


def test_unscoped_outside_crossing_tenants_is_refused_since_it_would_see_nothing(world):
    with pytest.raises(TenantScopeMissing):
        Partner.objects.unscoped()
    with connection.cursor() as cursor:  # what it would have read: nothing
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 0


def test_unscoped_sees_every_tenant_only_when_crossing_tenants(world):
    with crossing_tenants():
        codes = set(Partner.objects.unscoped().values_list("code", flat=True))
    assert codes == {"ACME-OWN", "ACME-OTHER", "GLOBEX-OWN", "GLOBEX-OTHER"}


def test_a_new_row_takes_the_tenant_in_scope(world):
    with tenant_scope(world["globex"].tenant):
        tier = Tier(code="pilot", name="Pilot", rank=8, min_score=10)
        tier.save()
    assert tier.tenant_id == world["globex"].tenant.pk


def test_saving_a_new_row_with_no_tenant_in_scope_raises(world):
    with pytest.raises(TenantScopeMissing):
        Tier(code="pilot", name="Pilot", rank=8, min_score=10).save()


def test_bulk_create_refuses_rows_of_another_tenant(world):
    with tenant_scope(world["acme"].tenant), pytest.raises(ValueError, match="across tenants"):
        Tier.objects.bulk_create(
            [Tier(tenant=world["globex"].tenant, code="pilot", name="Pilot", rank=8, min_score=10)]
        )


def test_scopes_nest_and_restore(world):
    acme, globex = world["acme"].tenant, world["globex"].tenant
    with tenant_scope(acme):
        with tenant_scope(globex):
            assert set(Partner.objects.values_list("code", flat=True)) == {"GLOBEX-OWN", "GLOBEX-OTHER"}
        assert current_tenant() == acme
        assert set(Partner.objects.values_list("code", flat=True)) == {"ACME-OWN", "ACME-OTHER"}
    assert current_tenant() is None


def test_a_task_decorated_with_in_tenant_scope_sees_only_its_tenant(world):
    # given: a Celery-task-like function (tasks take tenant_id first)
    @in_tenant_scope
    def count_partners(tenant_id, *, prefix):
        return sorted(code for code in Partner.objects.values_list("code", flat=True) if code.startswith(prefix))

    # then
    assert count_partners(world["globex"].tenant.pk, prefix="") == ["GLOBEX-OTHER", "GLOBEX-OWN"]
    assert count_partners(world["acme"].tenant.pk, prefix="ACME") == ["ACME-OTHER", "ACME-OWN"]
    assert current_tenant() is None  # and the scope is left behind


def test_a_task_decorated_with_in_tenant_scope_leaves_the_scope_even_when_it_fails(world):
    @in_tenant_scope
    def fails(tenant_id):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fails(world["acme"].tenant.pk)
    assert current_tenant() is None


# --- row-level security -------------------------------------------------------------------------


def _tables_with_a_tenant() -> list[str]:
    from tenancy.rls import tables_with_a_tenant

    return tables_with_a_tenant(connection)


def _counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def test_the_runtime_role_is_no_superuser_cannot_bypass_and_owns_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND pg_has_role(current_user, c.relowner, 'MEMBER')"
        )
        assert cursor.fetchone()[0] == 0


def test_with_no_tenant_set_raw_sql_sees_no_row_of_any_table_with_a_tenant(world):
    tables = _tables_with_a_tenant()
    assert {"partners_partner", "partners_partnerevent", "tenancy_membershipevent", "facts_sale"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('qudao.tenant_id', true)")
        assert cursor.fetchone()[0] in (None, "")
        assert set(_counts(cursor, tables).values()) == {0}
    with crossing_tenants(), connection.cursor() as cursor:  # the rows are there
        assert _counts(cursor, ["partners_partner", "tenancy_membership", "partners_partnerevent"]) == {
            "partners_partner": 4,
            "tenancy_membership": 14,
            "partners_partnerevent": 4,
        }


def test_in_a_tenants_scope_raw_sql_sees_only_that_tenants_rows_even_without_a_filter(world):
    acme, globex = world["acme"].tenant, world["globex"].tenant
    tables = _tables_with_a_tenant()
    with tenant_scope(acme), connection.cursor() as cursor:
        cursor.execute("SELECT code FROM partners_partner ORDER BY code")
        assert [row[0] for row in cursor.fetchall()] == ["ACME-OTHER", "ACME-OWN"]
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE tenant_id <> %s', [acme.pk])
            assert cursor.fetchone()[0] == 0, table
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 7
        cursor.execute("SELECT count(*) FROM partners_partnerevent")  # history of acme's own partners
        assert cursor.fetchone()[0] == 2
    with tenant_scope(globex), connection.cursor() as cursor:  # the wrong tenant for acme's rows
        cursor.execute("SELECT count(*) FROM partners_partner WHERE tenant_id = %s", [acme.pk])
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    "statement",
    [
        'ALTER TABLE "partners_partner" NO FORCE ROW LEVEL SECURITY',
        'ALTER TABLE "partners_partner" DISABLE ROW LEVEL SECURITY',
        'DROP POLICY tenant_wall ON "partners_partner"',
        'ALTER POLICY tenant_wall ON "partners_partner" USING (true)',
        'CREATE POLICY everything ON "partners_partner" USING (true)',
        'TRUNCATE "partners_partner" CASCADE',
        'ALTER TABLE "partners_partner" OWNER TO CURRENT_USER',
        "SET ROLE qudao",
        "SET ROLE postgres",
        "CREATE TABLE smuggle (id int)",
    ],
)
def test_the_runtime_role_cannot_take_the_wall_down(world, statement):
    with pytest.raises((ProgrammingError, InternalError, OperationalError)), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = 'partners_partner'")
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT count(*) FROM pg_policies WHERE tablename = 'partners_partner'")
        assert cursor.fetchone()[0] == 2  # tenant_wall and own_user, untouched
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != "qudao"
    with crossing_tenants():
        assert Partner.objects.unscoped().count() == 4


def test_row_level_security_follows_the_scope_when_it_changes(world):
    with connection.cursor() as cursor:
        with tenant_scope(world["globex"].tenant):
            cursor.execute("SELECT code FROM partners_partner ORDER BY code")
            assert [row[0] for row in cursor.fetchall()] == ["GLOBEX-OTHER", "GLOBEX-OWN"]
            with tenant_scope(world["acme"].tenant):
                cursor.execute("SELECT count(*) FROM partners_partner WHERE code LIKE 'GLOBEX%%'")
                assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT count(*) FROM partners_partner WHERE code LIKE 'GLOBEX%%'")
            assert cursor.fetchone()[0] == 2  # the outer scope's tenant is back
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 0  # no tenant in scope: nothing


def test_the_tenant_setting_does_not_outlive_a_scope_that_failed(world):
    with pytest.raises(RuntimeError), tenant_scope(world["acme"].tenant):
        raise RuntimeError("boom")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('qudao.tenant_id', true)")
        assert cursor.fetchone()[0] in (None, "")
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 0


def test_the_tenant_setting_is_transaction_local_not_set_for_the_session(world):
    with tenant_scope(world["acme"].tenant), connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'qudao.tenant_id'")  # session value: none
        assert cursor.fetchall() in ([], [("",)])
        cursor.execute("SELECT current_setting('qudao.tenant_id')")
        assert cursor.fetchone()[0] == str(world["acme"].tenant.pk)


def test_a_request_leaves_no_tenant_behind_on_its_connection(world, client):
    client.force_login(world["acme"].member("admin").user)
    assert client.get("/t/acme/partners/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('qudao.tenant_id', true)")
        assert cursor.fetchone()[0] in (None, "")
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 0
    assert current_tenant() is None


def test_a_streamed_export_reads_its_rows_in_the_tenants_scope(world, client):
    from tests.facts.helpers import load

    with tenant_scope(world["acme"].tenant):
        load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "Streamed Customer", "amount": "12.50"})
    client.force_login(world["acme"].member("admin").user)
    response = client.get("/t/acme/data/sales/?export=csv")
    assert response.status_code == 200 and response.streaming
    assert current_tenant() is None  # the view has returned; the rows are read while streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Streamed Customer" in body and "12.50" in body
    assert current_tenant() is None


def test_a_failed_request_leaves_none_of_its_writes_behind(world, client, monkeypatch):
    from partners import views

    def write_then_fail(self, form):
        Tier.objects.create(code="halfway", name="Halfway", rank=9, min_score=1)
        raise PermissionError("after a write")

    monkeypatch.setattr(views.TierCreateView, "call_service", write_then_fail, raising=False)
    client.raise_request_exception = False
    client.force_login(world["acme"].member("admin").user)
    response = client.post("/t/acme/tiers/new/", {"code": "x", "name": "X", "rank": 9, "min_score": 1})
    assert response.status_code == 500
    with tenant_scope(world["acme"].tenant):
        assert not Tier.objects.filter(code="halfway").exists()


def test_row_level_security_refuses_to_write_a_row_of_another_tenant(world):
    acme, globex = world["acme"].tenant, world["globex"].tenant
    with tenant_scope(acme):
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO partners_tier"
                    " (tenant_id, code, name, rank, min_score, benefits, created_at, updated_at)"
                    " VALUES (%s, 'smuggled', 'Smuggled', 9, 0, '', now(), now())",
                    [globex.pk],
                )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE partners_partner SET name = 'changed' WHERE tenant_id = %s", [globex.pk]
            )  # sees no row of globex: changes nothing
            assert cursor.rowcount == 0
    with crossing_tenants():
        assert not Tier.objects.unscoped().filter(code="smuggled").exists()
        assert not Partner.objects.unscoped().filter(name="changed").exists()


def test_row_level_security_refuses_to_move_a_row_to_another_tenant(world):
    acme, globex = world["acme"].tenant, world["globex"].tenant
    with tenant_scope(acme):
        with pytest.raises((ProgrammingError, IntegrityError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE partners_partner SET tenant_id = %s WHERE code = 'ACME-OWN'", [globex.pk])
    with crossing_tenants():
        assert Partner.objects.unscoped().get(code="ACME-OWN").tenant_id == acme.pk


def test_every_table_with_a_tenant_column_has_row_level_security_forced_and_the_policy(db):
    from tenancy.models import TenantOwned
    from tenancy.rls import POLICY

    with connection.cursor() as cursor:  # straight from the catalog, not from the models
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity,"
            "       EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = %s)"
            "  FROM information_schema.columns col"
            "  JOIN pg_class c ON c.relname = col.table_name"
            "  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema"
            " WHERE col.column_name = 'tenant_id' AND col.table_schema = current_schema()",
            [POLICY],
        )
        tables = {name: (forced, with_policy) for name, forced, with_policy in cursor.fetchall()}
    owned = {model._meta.db_table for model in apps.get_models() if issubclass(model, TenantOwned)}
    assert owned <= set(tables)
    assert "partners_partnerevent" in tables and "tenancy_membershipevent" in tables
    unprotected = sorted(name for name, state in tables.items() if state != (True, True))
    assert unprotected == []


def test_the_signed_in_user_reads_only_their_own_memberships_outside_a_tenant(world):
    from tenancy.access import memberships_of
    from tenancy.context import user_scope

    shared = world["acme"].member("viewer").user
    memberships = memberships_of(shared)
    assert [(m.tenant.slug, m.role) for m in memberships] == [("acme", "viewer")]
    partner_user = world["acme"].member("partner_user").user
    assert [m.partner.code for m in memberships_of(partner_user)] == ["ACME-OWN"]
    with user_scope(shared), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM partners_tier")
        assert cursor.fetchone()[0] == 0


def test_while_the_schema_is_drawn_tenant_owned_tables_look_empty_and_nothing_else_changes(world):
    with describing_only():
        assert list(Partner.objects.all()) == []
        with tenant_scope(world["acme"].tenant):  # a tenant in scope still sees its rows
            assert Partner.objects.count() == 2
    with pytest.raises(TenantScopeMissing):
        list(Partner.objects.all())


@pytest.mark.django_db(databases=["default", "owner"])
def test_check_deploy_passes_the_runtime_role_and_refuses_a_role_that_owns_the_tables():
    from django.db import connections

    from tenancy.checks import _findings, check_runtime_role

    assert check_runtime_role() == []
    with connections["default"].cursor() as cursor:
        assert _findings(cursor) == []
    with connections["owner"].cursor() as cursor, translation.override("en"):  # one role for everything
        findings = _findings(cursor)
    assert any("owns" in finding for finding in findings)
    assert any("TRUNCATE" in finding for finding in findings)
