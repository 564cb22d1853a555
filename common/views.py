from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import health_report, health_summary


def _is_staff(request: HttpRequest) -> bool:
    # Reading the session needs the database (or cache) that may be the very thing that is
    # down: when the viewer cannot be told, they get the public answer, never a 500.
    try:
        return bool(request.user.is_active and request.user.is_staff)
    except Exception:
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    staff = _is_staff(request)
    healthy, report = health_report()
    return JsonResponse(report if staff else health_summary(report), status=200 if healthy else 503)
