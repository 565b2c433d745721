"""The one place settings read the environment; a bad value fails loudly at start-up."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_bool(name: str, default: bool) -> bool:
    """Like healthchecks' envbool: only a handful of spellings are accepted."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise environ.ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate, ``<requests>/<period>`` (``30/hour``), checked at start-up, not at the first request."""
    raw = env.str(name, default=default).strip()
    count, _, period = raw.partition("/")
    if not (count.isascii() and count.isdigit() and int(count) > 0 and period in RATE_PERIODS):
        raise environ.ImproperlyConfigured(f"{name}={raw!r} is not a rate (use e.g. 30/hour or 200/minute)")
    return raw
