from django.urls import path

from . import views

app_name = "feed"

urlpatterns = [
    path("user/<str:username>", views.profile, name="profile"),
]
