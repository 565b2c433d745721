import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are read in English here (the pages' tests look at both languages)."""
    with translation.override("en"):
        yield
