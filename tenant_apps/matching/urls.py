urlpatterns: list = []  # the matching pages (issue 7) are added here
