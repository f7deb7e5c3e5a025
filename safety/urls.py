"""The admin's home page, which for a therapist is what needs their attention, and its clear
button for an item marked for review. Included under admin/ ahead of the admin's own URLs, so
this home page is the admin's index (its links and breadcrumbs lead here)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "safety"
urlpatterns = [
    path("", admin.site.admin_view(views.admin_home), name="admin-home"),
    path(
        "attention/review/<int:item_id>/clear/",
        admin.site.admin_view(views.admin_review_clear),
        name="review-clear",
    ),
]
