# Secret Manager holds every secret the application reads from its environment. The Kubernetes
# Secret the pods mount is built from the versions stored here (module "app"), never from plain
# variables; rotating a value means writing a new version here and applying.

locals {
  # The application's secret environment, by variable name.
  secret_names = [
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SCALEWAY_TEM_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "WHEREBY_API_KEY",
    "WHEREBY_WEBHOOK_SECRET",
    "SENTRY_DSN",
  ]
  values = merge(var.values, {
    DJANGO_SECRET_KEY = random_password.django_secret_key.result
  })
}

resource "random_password" "django_secret_key" {
  length  = 64
  special = true
}

resource "scaleway_secret" "app" {
  for_each = toset(local.secret_names)

  name        = each.key
  path        = var.path
  description = "Environment variable ${each.key} of the Binôme application."
  protected   = var.protected
  region      = var.region
  tags        = var.tags
}

resource "scaleway_secret_version" "app" {
  for_each = scaleway_secret.app

  secret_id   = each.value.id
  data        = lookup(local.values, each.key, "")
  description = "Written by Terraform."
  region      = var.region

  lifecycle {
    precondition {
      condition     = length(lookup(local.values, each.key, "")) > 0
      error_message = "Secret ${each.key} has no value: pass it in var.values."
    }
  }
}
