"""The tenant wall (SPEC §2, STYLE "The tenant wall"): the fail-closed manager and row-level security."""

import pytest
from django.apps import apps
from django.db import IntegrityError, ProgrammingError, connection, transaction
from pghistory.models import Event

from partners.models import Partner, Tier
from tenancy.context import TenantScopeMissing, current_tenant, describing_only, in_tenant_scope, tenant_scope
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


def test_unscoped_sees_every_tenant(world):
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


def _connection_is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


@pytest.fixture
def rls(world):
    if _connection_is_superuser():
        pytest.skip("the database role is a superuser (or bypasses RLS): row-level security does not apply to it")
    return world


def test_row_level_security_hides_another_tenants_rows_from_raw_sql(rls):
    with tenant_scope(rls["acme"].tenant), connection.cursor() as cursor:
        cursor.execute("SELECT code FROM partners_partner ORDER BY code")
        assert [row[0] for row in cursor.fetchall()] == ["ACME-OTHER", "ACME-OWN"]
        cursor.execute("SELECT count(*) FROM partners_partner WHERE tenant_id = %s", [rls["globex"].tenant.pk])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 7


def test_row_level_security_follows_the_scope_when_it_changes(rls):
    with connection.cursor() as cursor:
        with tenant_scope(rls["globex"].tenant):
            cursor.execute("SELECT code FROM partners_partner ORDER BY code")
            assert [row[0] for row in cursor.fetchall()] == ["GLOBEX-OTHER", "GLOBEX-OWN"]
        cursor.execute("SELECT count(*) FROM partners_partner")
        assert cursor.fetchone()[0] == 4  # no tenant in scope: migrations and cross-tenant jobs see all


def test_row_level_security_refuses_to_write_a_row_of_another_tenant(rls):
    acme, globex = rls["acme"].tenant, rls["globex"].tenant
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
    assert not Tier.objects.unscoped().filter(code="smuggled").exists()
    assert not Partner.objects.unscoped().filter(name="changed").exists()


def test_row_level_security_refuses_to_move_a_row_to_another_tenant(rls):
    acme, globex = rls["acme"].tenant, rls["globex"].tenant
    with tenant_scope(acme):
        with pytest.raises((ProgrammingError, IntegrityError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE partners_partner SET tenant_id = %s WHERE code = 'ACME-OWN'", [globex.pk])
    assert Partner.objects.unscoped().get(code="ACME-OWN").tenant_id == acme.pk


def test_every_tenant_owned_table_has_row_level_security_forced(db):
    from tenancy.rls import POLICY, tenant_owned_tables

    tables = tenant_owned_tables()
    assert "partners_partner" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relrowsecurity AND relforcerowsecurity",
            [tables],
        )
        forced = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [POLICY])
        with_policy = {row[0] for row in cursor.fetchall()}
    assert set(tables) - forced == set()
    assert set(tables) - with_policy == set()


def test_while_the_schema_is_drawn_tenant_owned_tables_look_empty_and_nothing_else_changes(world):
    with describing_only():
        assert list(Partner.objects.all()) == []
        with tenant_scope(world["acme"].tenant):  # a tenant in scope still sees its rows
            assert Partner.objects.count() == 2
    with pytest.raises(TenantScopeMissing):
        list(Partner.objects.all())
