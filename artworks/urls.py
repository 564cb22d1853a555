from django.urls import path

from . import views

app_name = "artworks"

urlpatterns = [
    path("artwork/<int:artwork_id>", views.artwork_detail, name="detail_short"),
    path("artwork/<int:artwork_id>/<str:slug>", views.artwork_detail, name="detail"),
]
