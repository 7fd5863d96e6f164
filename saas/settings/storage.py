"""Where uploaded and generated files go (logos, app icons, and any per-person file or export).

Object Storage (S3 API, django-storages) when `AWS_STORAGE_BUCKET_NAME` is set — production,
whose pods have a read-only filesystem; the local filesystem under MEDIA_ROOT otherwise
(`dev.py run`, the tests). Either way every key starts with the programme's schema
(saas.core.storage), so a programme's files are one prefix: erased with it, never reachable from
another programme.

The bucket is private: objects are written with the `private` canned ACL and no URL to the
bucket is ever handed out. Files reach people only through the programme's views: the branding
images (re-encoded logo, app icons) by public views on purpose — the login page, the emails and
the PWA manifest show them to anyone — and everything else by views that check who asks
(README § Files and media)."""

import environ

env = environ.Env()

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None  # None: AWS itself
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="fr-par")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default="")
AWS_DEFAULT_ACL = "private"
AWS_S3_SIGNATURE_VERSION = "s3v4"
# Never needed by the views (they stream the object), but should a URL ever be asked for it
# is signed and short-lived, never public.
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = 300
# An upload never replaces another file of the same name (as on disk); the bucket also keeps
# previous versions (Terraform: versioning, with an expiry of noncurrent versions).
AWS_S3_FILE_OVERWRITE = False

if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {"BACKEND": "saas.core.storage.TenantS3Storage"}
else:
    _default_storage = {"BACKEND": "saas.core.storage.TenantFileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
