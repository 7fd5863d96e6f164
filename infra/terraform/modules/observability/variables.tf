variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "metrics_retention_days" {
  description = "Days metrics are kept."
  type        = number
  default     = 31
}

variable "logs_retention_days" {
  description = "Days logs are kept (they hold IP addresses: keep it short, RGPD)."
  type        = number
  default     = 14
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
