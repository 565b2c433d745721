"""The default due diligence checklist for every tenant made before there was one.

New tenants get it from ``tenancy.services.tenant_create``; the items are copied here as they
were when this migration was written, so that later changes to the defaults leave it alone.
"""

from django.db import migrations

# code, Chinese name, English name, Chinese description, English description, gate, required, evidence, automatic
DEFAULT_ITEMS = (
    ("tax_id", "统一社会信用代码核验", "Unified social credit code verified",
     "统一社会信用代码已录入且校验位正确。", "The unified social credit code is on file and valid.",
     "onboarding", True, False, "tax_id"),
    ("references", "背景与口碑调查", "References checked",
     "工商信息、历史合作案例与行业口碑已核实。", "Business registration, past partners and reputation checked.",
     "pilot", True, False, ""),
    ("contract", "合同已上传", "Contract uploaded",
     "已录入一份尚未到期的合同。", "A contract that has not ended is on file.",
     "pilot", True, False, "contract"),
    ("credit_limit", "信用额度已设定", "Credit limit set",
     "已为伙伴设定正式合作的信用额度。", "The partner's credit limit for full cooperation is set.",
     "active", True, False, "credit_limit"),
    ("site_visit", "实地考察", "Site visit",
     "拜访伙伴的办公与仓储场地，附考察报告。", "The partner's offices and warehouse visited; the report attached.",
     "active", False, True, ""),
)  # fmt: skip


def add_default_checklists(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    ChecklistItem = apps.get_model("diligence", "ChecklistItem")
    # Every tenant at once: a maintenance step that crosses tenants by design (row-level security
    # would otherwise show this owner-role connection no tenant's rows).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('qudao.all_tenants', 'on', true)")
    alias = schema_editor.connection.alias  # the owner's connection migrate runs on, not the app's
    items = []
    for tenant in Tenant.objects.using(alias).all():
        if ChecklistItem.objects.using(alias).filter(tenant_id=tenant.pk).exists():
            continue
        chinese = tenant.language == "zh-hans"
        for position, row in enumerate(DEFAULT_ITEMS, start=1):
            code, zh_name, en_name, zh_text, en_text, gate, required, evidence, automatic = row
            items.append(
                ChecklistItem(
                    tenant_id=tenant.pk,
                    code=code,
                    name=zh_name if chinese else en_name,
                    description=zh_text if chinese else en_text,
                    gate=gate,
                    is_required=required,
                    evidence_required=evidence,
                    automatic_check=automatic,
                    position=position * 10,
                )
            )
    ChecklistItem.objects.using(alias).bulk_create(items)


class Migration(migrations.Migration):
    dependencies = [
        ("diligence", "0001_initial"),
        ("tenancy", "0003_tenant_partners_may_skip_pilot"),
    ]

    operations = [migrations.RunPython(add_default_checklists, migrations.RunPython.noop)]
