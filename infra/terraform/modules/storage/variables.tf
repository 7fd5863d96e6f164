variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "organization_id" {
  description = "Scaleway organisation owning the project: IAM applications and policies belong to it."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.organization_id))
    error_message = "organization_id must be the organisation's UUID (console: Organization settings)."
  }
}

variable "project_id" {
  description = "Scaleway project holding the bucket (scopes the application's key)."
  type        = string
}

variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "exports_prefix" {
  description = "Key prefix of generated exports."
  type        = string
  default     = "exports/"
}

variable "exports_expiration_days" {
  description = "Days after which an export is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.exports_expiration_days >= 1 && var.exports_expiration_days <= 365
    error_message = "exports_expiration_days must be between 1 and 365."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted file's previous versions are kept (undo window)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 365
    error_message = "noncurrent_version_expiration_days must be between 1 and 365."
  }
}

variable "tags" {
  description = "Tags of the bucket (key/value pairs)."
  type        = map(string)
  default     = {}
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
