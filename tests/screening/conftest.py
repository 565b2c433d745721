import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are read in English here."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def page_client(client):
    """A test-client browser logged in as a member, in a language: ``page_client(membership, "en")``."""

    def client_for(membership, language: str = "en"):
        client.force_login(membership.user)
        client.cookies["django_language"] = language
        return client

    return client_for
