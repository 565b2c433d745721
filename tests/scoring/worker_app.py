"""The Celery app for a test worker that must pick up a dead worker's task within seconds, not hours.

Redis hands back an unacknowledged task once it has been out ``visibility_timeout`` seconds, looking
every ``unacked_restore_interval × unacked_restore_throttle`` seconds (production: 2 h, every 100 s).
"""

from config.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
