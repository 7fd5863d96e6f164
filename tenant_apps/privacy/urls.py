from django.urls import path

from tenant_apps.privacy import views

urlpatterns = [path("gestion/journal/", views.manage_audit_log, name="manage-audit-log")]
