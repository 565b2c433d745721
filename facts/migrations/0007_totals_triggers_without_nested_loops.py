from django.db import migrations

# The partner totals' trigger functions plan their statements knowing the transition table's real row
# count; past ~150,000 deleted rows the planner chose a nested loop that re-reads the transition table
# for each emptied total (a DELETE of 200,000 payments: over 60 s, against 6 s for 100,000). Without
# nested loops, inside these functions only (the setting is restored when each returns), a DELETE of
# 500,000 payments spends 11 s in the trigger: linear.
FUNCTIONS = ("facts_sale_totals", "facts_invoice_totals", "facts_payment_totals")


class Migration(migrations.Migration):
    dependencies = [("facts", "0006_partner_totals_rollups")]

    operations = [
        migrations.RunSQL(
            [f"ALTER FUNCTION {name}() SET enable_nestloop = off" for name in FUNCTIONS],
            [f"ALTER FUNCTION {name}() RESET enable_nestloop" for name in FUNCTIONS],
        )
    ]
