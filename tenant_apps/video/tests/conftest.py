from tenant_apps.video.tests.fixtures import room_urls_stay_out_of_emails, whereby_fake

__all__ = ["room_urls_stay_out_of_emails", "whereby_fake"]
