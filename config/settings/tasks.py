from celery.schedules import crontab

from config.env import env, env_bool

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # No broker: tasks run in-process, in the caller's thread.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long tasks (imports, settlement runs, exports) run in a background thread of the
# web process, so their progress pages show them moving (common/tasks.py); the tests run them inline.
TASKS_IN_THREADS = env_bool("TASKS_IN_THREADS", default=not REDIS_URL)

CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker once it has been out this long: the way a task
# comes back after its worker was killed outright. Longer than any one task (a tenant's nightly is
# seconds to minutes, the exports and settlement runs minutes); a task redelivered while still running
# is harmless for the nightly (its run row says it is taken, scoring.jobs), wasted work elsewhere.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)}
# A nightly run whose heartbeat (each step's start) is older than this lost its worker: the next claim
# takes it over. Longer than the longest single step.
NIGHTLY_RUN_STALE_AFTER = env.int("NIGHTLY_RUN_STALE_AFTER", default=30 * 60)
CELERY_TIMEZONE = "UTC"
# Hourly: each tenant's nightly run is queued once its own night (its time zone) has passed 01:00.
CELERY_BEAT_SCHEDULE: dict = {
    "nightly-dispatch": {"task": "scoring.tasks.nightly_dispatch", "schedule": crontab(minute=5)},
    # Lead offers not answered within the tenant's SLA lapse and move on (the nightly run is the safety net).
    "leads-lapse": {"task": "leads.tasks.leads_lapse_dispatch", "schedule": crontab(minute="*/5")},
}
