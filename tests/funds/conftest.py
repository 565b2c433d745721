import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Proof files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def page_client(client):
    """A test-client browser logged in as a member, in a language: ``page_client(membership, "en")``."""

    def client_for(membership, language: str = "zh-hans"):
        client.force_login(membership.user)
        client.cookies["django_language"] = language
        return client

    return client_for
