"""Logging in as a client does, on each of the three logins."""

from django.test import Client


def login(endpoint: str, email: str, password: str, address: str, **headers):
    """One login attempt on ``endpoint`` (page, admin or api) from ``address``, in a fresh client."""
    path, extra = {
        "page": ("/login/", {}),
        "admin": ("/admin/login/", {"next": "/admin/"}),
        "api": ("/api/v1/auth/token/", {}),
    }[endpoint]
    client = Client()
    response = client.post(
        path,
        {"username": email, "password": password, **extra},
        REMOTE_ADDR=address,
        **{"HTTP_ACCEPT_LANGUAGE": "en", **headers},
    )
    return client, response


def logged_in(endpoint: str, client: Client, response) -> bool:
    if endpoint == "api":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "_auth_user_id" in client.session
