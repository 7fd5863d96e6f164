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
  description = "Scaleway project of the TEM domain (scopes the sending key)."
  type        = string
}

variable "domain" {
  description = "Sending domain, e.g. binome.fr (From: no-reply@binome.fr)."
  type        = string
}

variable "dns_zone" {
  description = "Scaleway DNS zone the domain belongs to (the domain itself or a parent)."
  type        = string
}

variable "dmarc_record" {
  description = "DMARC TXT value; empty = the policy TEM proposes."
  type        = string
  default     = "v=DMARC1; p=quarantine"
}

variable "spf_extra_mechanisms" {
  description = "Other senders of the domain in the one SPF record (e.g. \"include:_spf.google.com\")."
  type        = string
  default     = ""
}

variable "validation_timeout_seconds" {
  description = "How long apply waits for TEM to validate the records."
  type        = number
  default     = 600
}

# TEM only exists in fr-par: the validation lists the EU regions it is offered in.
variable "region" {
  description = "Scaleway region of Transactional Email: fr-par (Paris) only."
  type        = string
  default     = "fr-par"

  validation {
    condition     = contains(["fr-par"], var.region)
    error_message = "Transactional Email is offered in fr-par only (EU)."
  }
}
