# Object Storage for media (programme logos) and exports. Private: the canned ACL is set
# explicitly to "private" and there is no bucket policy, so nothing is readable without a key;
# files reach users through an authenticated Django view, never a public URL (DESIGN §2).
# Versioned, so an overwrite or a deletion by mistake can be undone — for a while only: a
# replaced or deleted file's old versions expire after noncurrent_version_expiration_days (an
# erasure deletes every version at once: saas/core/storage.py).

resource "scaleway_object_bucket" "main" {
  name          = var.bucket_name
  region        = var.region
  force_destroy = false
  tags          = var.tags

  versioning {
    enabled = true
  }

  # Exports (CSV, XLSX, RGPD archives) are personal data with a short life.
  lifecycle_rule {
    id      = "expire-exports"
    prefix  = var.exports_prefix
    enabled = true

    expiration {
      days = var.exports_expiration_days
    }
  }

  # Scratch files written while an export or an import is being built.
  lifecycle_rule {
    id      = "expire-tmp"
    prefix  = "tmp/"
    enabled = true

    expiration {
      days = 2
    }
  }

  # Old versions of replaced or deleted files (provider >= 2.76).
  lifecycle_rule {
    id      = "expire-noncurrent-versions"
    enabled = true

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart-uploads"
    enabled                                = true
    abort_incomplete_multipart_upload_days = 7
  }
}

resource "scaleway_object_bucket_acl" "main" {
  bucket = scaleway_object_bucket.main.id
  acl    = "private"
  region = var.region
}

# The application's own credentials: objects of this project only, no bucket administration.
resource "scaleway_iam_application" "storage" {
  name            = "${var.name}-storage"
  description     = "Binôme web and workers: media and exports in Object Storage."
  organization_id = var.organization_id
}

resource "scaleway_iam_policy" "storage" {
  name            = "${var.name}-storage"
  description     = "Read, write and delete objects in the project's buckets."
  application_id  = scaleway_iam_application.storage.id
  organization_id = var.organization_id

  rule {
    project_ids = [var.project_id]
    permission_set_names = [
      "ObjectStorageBucketsRead",
      "ObjectStorageObjectsRead",
      "ObjectStorageObjectsWrite",
      "ObjectStorageObjectsDelete",
    ]
  }
}

resource "scaleway_iam_api_key" "storage" {
  application_id     = scaleway_iam_application.storage.id
  description        = "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of the application."
  default_project_id = var.project_id
}
