from django.urls import path

from . import views

app_name = "social"

# Under /user/<username>/…: two segments, beside the profile (/user/<username>, feed:profile).
urlpatterns = [
    path("user/<str:username>/follow", views.follow, name="follow"),
    path("user/<str:username>/unfollow", views.unfollow, name="unfollow"),
    path("user/<str:username>/followers", views.followers, name="followers"),
    path("user/<str:username>/following", views.following, name="following"),
]
