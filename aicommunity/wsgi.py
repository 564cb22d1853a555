import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up

if settings.WARM_UP_ON_START:
    from common.warmup import warm_up

    warm_up()
