from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .selectors import user_artworks_page


def profile(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    page = user_artworks_page(author=author, viewer=request.user)
    return render(request, "feed/profile.html", {"author": author, "page": page})
