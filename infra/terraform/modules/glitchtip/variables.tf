variable "name" {
  description = "Prefix of the resource names."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of GlitchTip (its service is glitchtip.<namespace>.svc.cluster.local)."
  type        = string
  default     = "glitchtip"
}

variable "image" {
  description = "GlitchTip image, pinned to a major version (https://glitchtip.com/blog/ announces new ones)."
  type        = string
  default     = "glitchtip/glitchtip:6"
}

variable "database_instance_id" {
  description = "The managed PostgreSQL instance that holds GlitchTip's own database (module database)."
  type        = string
}

variable "database_endpoint" {
  description = "Private address and port of that instance (ip:port)."
  type        = string
}

variable "default_from_email" {
  description = "Sender of GlitchTip's own e-mails (alerts are off until an SMTP URL is configured)."
  type        = string
}

variable "event_retention_days" {
  description = "Days GlitchTip keeps an event (GLITCHTIP_MAX_EVENT_LIFE_DAYS)."
  type        = number
  default     = 30
}

variable "region" {
  description = "Scaleway region of the database."
  type        = string
  default     = "fr-par"

  validation {
    condition     = contains(["fr-par"], var.region)
    error_message = "Error reports stay in France: only fr-par."
  }
}
