"""The smallest Django app, served the same way as the site: the baseline for throughput.

gunicorn bench.minimal_app:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S106
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", index)]
application = get_wsgi_application()
