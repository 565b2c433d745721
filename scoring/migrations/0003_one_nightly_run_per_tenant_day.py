from django.db import migrations, models

# Before the constraint: of several runs of one tenant-day still marked running (workers that died
# before this rule existed), the newest stays running and the others are ended as failed.
END_DUPLICATE_RUNNING = """
SELECT set_config('qudao.all_tenants', 'on', true);
UPDATE scoring_jobrun AS run
   SET status = 'failed', finished_at = now(), error = 'Ended when one running run per tenant and day became the rule.'
 WHERE run.status = 'running'
   AND EXISTS (
       SELECT 1 FROM scoring_jobrun AS newer
        WHERE newer.tenant_id = run.tenant_id AND newer.kind = run.kind AND newer.day = run.day
          AND newer.status = 'running' AND (newer.started_at, newer.id) > (run.started_at, run.id)
   );
SELECT set_config('qudao.all_tenants', '', true);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0002_recommendation_lookup"),
        ("tenancy", "0003_tenant_partners_may_skip_pilot"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunSQL(END_DUPLICATE_RUNNING, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="jobrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "running")),
                fields=("tenant", "kind", "day"),
                name="one_running_run_per_tenant_day",
            ),
        ),
    ]
