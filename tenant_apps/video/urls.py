"""Public-host URLs of the video integration (included by saas/urls_public.py)."""

from django.urls import path

from tenant_apps.video import views

urlpatterns = [
    path("webhooks/whereby", views.whereby_webhook, name="whereby-webhook"),
]
