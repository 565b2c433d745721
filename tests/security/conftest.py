import pytest

from accounts.models import User
from tests.world import PASSWORD

STAFF_EMAIL = "staff@lockout.test"


@pytest.fixture
def throttle_rates(settings):
    """``throttle_rates(token="2/minute")``: this test's own throttle rates, the others as configured."""

    def set_rates(**rates):
        rest_framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **rest_framework,
            "DEFAULT_THROTTLE_RATES": {**rest_framework["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


@pytest.fixture
def staff(db):
    """A user who may log in on all three logins, the admin's included."""
    return User.objects.create_superuser(STAFF_EMAIL, PASSWORD)
