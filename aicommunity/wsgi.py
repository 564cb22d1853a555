import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")

# What get_wsgi_application() does, with the handler that remembers where each path leads.
django.setup(set_prefix=False)

from common.handlers import RememberingWSGIHandler  # noqa: E402 - after Django is set up

application = RememberingWSGIHandler()

from django.conf import settings  # noqa: E402 - after Django is set up

if settings.PRODUCTION:
    # gunicorn runs no system checks: production refuses to serve without its catalogs.
    from common.checks import refuse_to_start_unless_ready

    refuse_to_start_unless_ready()

if settings.WARM_UP_ON_START:
    from common.warmup import warm_up

    warm_up()
