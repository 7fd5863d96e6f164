variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "private_network_id" {
  description = "Private network the instance (and its replica) is reachable on. No public endpoint."
  type        = string
}

variable "node_type" {
  description = "Instance offer. HA needs a PRO2 (or larger) offer in production."
  type        = string
  default     = "DB-PRO2-XXS"
}

variable "engine" {
  description = "Engine version."
  type        = string
  default     = "PostgreSQL-16"
}

variable "volume_type" {
  description = "Storage class: sbs_5k or sbs_15k (block storage, resizable) or lssd."
  type        = string
  default     = "sbs_5k"
}

variable "volume_size_in_gb" {
  description = "Volume size (block storage only)."
  type        = number
  default     = 50
}

variable "settings" {
  description = "Engine settings (postgresql.conf); empty keeps the offer's defaults."
  type        = map(string)
  default     = {}
}

variable "backup_frequency_hours" {
  description = "Hours between two automated backups."
  type        = number
  default     = 24

  validation {
    condition     = var.backup_frequency_hours >= 1 && var.backup_frequency_hours <= 24
    error_message = "backup_frequency_hours must be between 1 and 24."
  }
}

variable "backup_retention_days" {
  description = "Days an automated backup is kept."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 365
    error_message = "backup_retention_days must be between 7 and 365."
  }
}

variable "read_replica_enabled" {
  description = "Create a read replica on the private network."
  type        = bool
  default     = false
}

variable "admin_user_name" {
  description = "Administrator created with the instance (migrations of extensions, support)."
  type        = string
  default     = "binome_admin"
}

variable "app_user_name" {
  description = "User the application connects as."
  type        = string
  default     = "binome"
}

variable "database_name" {
  description = "Database holding the public schema and one schema per programme."
  type        = string
  default     = "binome"
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
