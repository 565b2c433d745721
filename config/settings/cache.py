"""The shared cache: API throttles count requests here, so every web process must see the same counts."""

from .tasks import REDIS_URL

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "qudao",  # beside Celery's keys when the broker is the same Redis database
        }
    }
else:
    # One process (the demo, the tests without Redis): its own memory is shared enough.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
