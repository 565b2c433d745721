"""The API token key: how it looks, and the hash we keep of it (accounts.models.ApiToken)."""

import hashlib
import re
import secrets

KEY_PATTERN = re.compile(r"[0-9a-f]{40}")  # 160 random bits as lower-case hex, like DRF's authtoken keys


def new_key() -> str:
    return secrets.token_hex(20)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def is_well_formed(key: object) -> bool:
    """Whether ``key`` could be a key at all: anything else is refused without a database lookup."""
    return isinstance(key, str) and KEY_PATTERN.fullmatch(key) is not None
