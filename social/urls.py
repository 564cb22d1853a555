from django.urls import path

from . import views

app_name = "social"

# Under /user/<username>/…: two segments, beside the profile (/user/<username>, feed:profile).
urlpatterns = [
    path("user/<str:username>/follow", views.follow, name="follow"),
    path("user/<str:username>/unfollow", views.unfollow, name="unfollow"),
    path("user/<str:username>/followers", views.followers, name="followers"),
    path("user/<str:username>/following", views.following, name="following"),
    path("user/<str:username>/block", views.block, name="block"),
    path("user/<str:username>/unblock", views.unblock, name="unblock"),
    path("user/<str:username>/mute", views.mute, name="mute"),
    path("user/<str:username>/unmute", views.unmute, name="unmute"),
    # The member's own settings, beside accounts' (/settings/profile).
    path("settings/blocked", views.settings_blocked, name="settings_blocked"),
    path("settings/muted", views.settings_muted, name="settings_muted"),
]
