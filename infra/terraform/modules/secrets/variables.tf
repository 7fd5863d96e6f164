variable "values" {
  description = "Secret values by environment variable name (every name but DJANGO_SECRET_KEY, generated here)."
  type        = map(string)
  sensitive   = true
}

variable "path" {
  description = "Folder of the secrets in Secret Manager."
  type        = string
  default     = "/binome"
}

variable "protected" {
  description = "Protected secrets cannot be deleted (terraform destroy fails until this is false)."
  type        = bool
  default     = true
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

variable "tags" {
  description = "Tags put on every resource that takes them."
  type        = list(string)
  default     = []
}
