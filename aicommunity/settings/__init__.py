"""Settings for AI Community, one module per concern.

Every value comes from the environment (django-environ) with an embedded default, so that a
bare `make run` works: SQLite, local-disk media, a file cache shared by every process and
in-process tasks. Each service switches to production when its variable is set, in its own
module: `DATABASE_URL` (database), `REDIS_URL` (cache and feed index), `CELERY_BROKER_URL`
(tasks), `S3_BUCKET` (storage), `EMAIL_HOST` (mail). `DJANGO_ENV=production` turns on the
production checks (security, accounts): the site refuses to start without a secret key,
allowed hosts and a JWT signing key, and passes `manage.py check --deploy`.
See `.env.example` for every variable.

`base` holds what is the same everywhere; the modules after it may read what an earlier one
set, never the other way round. Each setting is defined in exactly one module
(tests/common/test_settings_split.py).
"""

# isort: off
# In this order: a module reads the ones above it, and production's refusals come out in the
# order an operator fixes them (secret key, hosts, then the rest).
from .base import *  # noqa: F403
from .security import *  # noqa: F403
from .database import *  # noqa: F403
from .cache import *  # noqa: F403
from .tasks import *  # noqa: F403
from .storage import *  # noqa: F403
from .uploads import *  # noqa: F403
from .generation import *  # noqa: F403
from .accounts import *  # noqa: F403
from .mail import *  # noqa: F403
from .csp import *  # noqa: F403
from .observability import *  # noqa: F403
# isort: on
