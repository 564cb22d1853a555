from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .models import Artwork
from .selectors import artwork_get_visible


def artwork_detail(request: HttpRequest, artwork_id: int, slug: str = "") -> HttpResponse:
    try:
        artwork = artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    if slug != artwork.slug:
        return redirect(artwork.get_absolute_url(), permanent=True)
    return render(request, "artworks/detail.html", {"artwork": artwork})
