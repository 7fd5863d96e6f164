from tenant_apps.meetings.tests.factories import pair
from tenant_apps.video.tests.fixtures import room_urls_stay_out_of_emails, whereby_fake

__all__ = ["pair", "room_urls_stay_out_of_emails", "whereby_fake"]
