import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are read in English here."""
    with translation.override("en"):
        yield


@pytest.fixture
def page_client(client):
    """A test-client browser logged in as a member, in English: ``page_client(membership)``."""

    def client_for(membership, language: str = "en"):
        client.force_login(membership.user)
        client.cookies["django_language"] = language
        return client

    return client_for


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files are stored (a lead upload is a job with its file): in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
