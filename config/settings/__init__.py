"""Settings, split by concern; every value that varies comes from the environment."""

from .base import *  # noqa: F403
from .cache import *  # noqa: F403
from .database import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
