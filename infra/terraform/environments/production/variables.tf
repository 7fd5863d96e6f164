variable "organization_id" {
  description = "Scaleway organisation of the project (IAM applications and policies belong to it). TF_VAR_organization_id, or the same value as SCW_DEFAULT_ORGANIZATION_ID."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.organization_id))
    error_message = "organization_id must be the organisation's UUID (console: Organization settings)."
  }
}

variable "project_id" {
  description = "Scaleway project of the production resources."
  type        = string
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "binome"
}

variable "base_domain" {
  description = "Domain of the platform: the public site, and one subdomain per programme."
  type        = string
  default     = "binome.fr"
}

variable "dns_zone" {
  description = "Scaleway DNS zone holding base_domain (the domain itself or a parent)."
  type        = string
  default     = "binome.fr"
}

variable "default_from_email" {
  description = "DEFAULT_FROM_EMAIL, on the TEM-validated domain."
  type        = string
  default     = "Binôme <no-reply@binome.fr>"
}

variable "app_image" {
  description = "Image to run, pinned by tag or digest: rg.fr-par.scw.cloud/binome-images/binome:<git sha>."
  type        = string
}

variable "whereby_base_url" {
  description = "Whereby REST API base URL."
  type        = string
  default     = "https://api.whereby.dev/v1"
}

variable "whereby_api_key" {
  description = "Whereby Embedded API key (TF_VAR_whereby_api_key)."
  type        = string
  sensitive   = true
}

variable "whereby_webhook_secret" {
  description = "Secret Whereby signs its webhooks with (TF_VAR_whereby_webhook_secret)."
  type        = string
  sensitive   = true
}

variable "sentry_dsn" {
  description = "DSN of the error tracker (TF_VAR_sentry_dsn). With error_tracking = glitchtip: the DSN of the project created in our GlitchTip (http://<key>@glitchtip.glitchtip.svc.cluster.local:8000/<id>), see README \"Error tracking\"; with sentry: an EU-region Sentry project."
  type        = string
  sensitive   = true
}

variable "error_tracking" {
  description = "Where error reports go: glitchtip (self-hosted in the cluster, France: the default), sentry (Sentry SaaS: a transfer of metadata to the US, listed in the register) or none."
  type        = string
  default     = "glitchtip"

  validation {
    condition     = contains(["glitchtip", "sentry", "none"], var.error_tracking)
    error_message = "error_tracking must be glitchtip, sentry or none."
  }
}

variable "wildcard_certificate_chain" {
  description = "PEM of the *.base_domain certificate, its intermediates and its private key (TF_VAR_wildcard_certificate_chain)."
  type        = string
  sensitive   = true
}

variable "private_subnet_cidr" {
  description = "IPv4 subnet of the private network."
  type        = string
  default     = "172.16.0.0/22"
}

variable "db_node_type" {
  description = "Managed PostgreSQL offer."
  type        = string
  default     = "DB-PRO2-XXS"
}

variable "db_volume_size_in_gb" {
  description = "PostgreSQL volume size."
  type        = number
  default     = 50
}

variable "db_backup_retention_days" {
  description = "Days an automated database backup is kept."
  type        = number
  default     = 14
}

variable "db_read_replica_enabled" {
  description = "Create a PostgreSQL read replica."
  type        = bool
  default     = false
}

variable "redis_node_type" {
  description = "Managed Redis offer."
  type        = string
  default     = "RED1-S"
}

variable "media_bucket_name" {
  description = "Globally unique name of the media and exports bucket."
  type        = string
  default     = "binome-production-media"
}

variable "kubernetes_version" {
  description = "Kapsule minor version."
  type        = string
  default     = "1.35"
}

variable "web_pool_size" {
  description = "Number of web nodes."
  type        = number
  default     = 2
}

variable "jobs_pool_max_size" {
  description = "Maximum number of nodes for Celery."
  type        = number
  default     = 5
}

variable "web_replicas" {
  description = "gunicorn pods."
  type        = number
  default     = 2
}

variable "worker_replicas" {
  description = "Celery worker pods."
  type        = number
  default     = 2
}

variable "gunicorn_workers" {
  description = "GUNICORN_WORKERS per web pod."
  type        = number
  default     = 3
}

variable "gunicorn_threads" {
  description = "GUNICORN_THREADS per gunicorn worker."
  type        = number
  default     = 4
}

variable "web_node_port" {
  description = "NodePort between the load balancer and the web pods."
  type        = number
  default     = 30080
}

variable "tags" {
  description = "Tags of every resource."
  type        = list(string)
  default     = ["binome", "production", "terraform"]
}

variable "region" {
  description = "Scaleway region: fr-par only (Paris): every datacentre is in France."
  type        = string
  default     = "fr-par"

  validation {
    condition     = contains(["fr-par"], var.region)
    error_message = "The region must be fr-par: the platform promises datacentres in France."
  }
}

variable "zone" {
  description = "Scaleway zone, in var.region: a zone of fr-par (Paris) only."
  type        = string
  default     = "fr-par-1"

  validation {
    condition     = contains(["fr-par-1", "fr-par-2", "fr-par-3"], var.zone)
    error_message = "The zone must be fr-par-1, fr-par-2 or fr-par-3: datacentres in France only."
  }

  validation {
    condition     = startswith(var.zone, "${var.region}-")
    error_message = "The zone must belong to var.region."
  }
}
