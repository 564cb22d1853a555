from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("artwork/<int:artwork_id>/report", views.report_artwork, name="report"),
    path("report/comment/<int:comment_id>", views.report_comment, name="report_comment"),
]
