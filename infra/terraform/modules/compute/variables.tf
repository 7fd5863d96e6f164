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
  description = "Scaleway project (scopes the registry pull key)."
  type        = string
}

variable "private_network_id" {
  description = "Private network of the cluster's nodes."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (x.y): patch versions are applied by auto-upgrade."
  type        = string
  default     = "1.35"
}

variable "maintenance_window_day" {
  description = "Day of the weekly 2-hour auto-upgrade window."
  type        = string
  default     = "sunday"
}

variable "maintenance_window_start_hour" {
  description = "Start hour (UTC) of the auto-upgrade window."
  type        = number
  default     = 3
}

variable "web_node_type" {
  description = "Instance type of the web pool."
  type        = string
  default     = "PRO2-S"
}

variable "web_pool_size" {
  description = "Number of web nodes (fixed: they are the load balancer's backends). At least 2, one per failure."
  type        = number
  default     = 2

  validation {
    condition     = var.web_pool_size >= 2
    error_message = "web_pool_size must be at least 2."
  }
}

variable "jobs_node_type" {
  description = "Instance type of the jobs pool (Celery workers, beat, migrations)."
  type        = string
  default     = "PRO2-S"
}

variable "jobs_pool_min_size" {
  description = "Minimum number of jobs nodes."
  type        = number
  default     = 1
}

variable "jobs_pool_max_size" {
  description = "Maximum number of jobs nodes (autoscaler)."
  type        = number
  default     = 5
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
  description = "Scaleway zone: a zone of fr-par (Paris) only."
  type        = string
  default     = "fr-par-1"

  validation {
    condition     = contains(["fr-par-1", "fr-par-2", "fr-par-3"], var.zone)
    error_message = "The zone must be fr-par-1, fr-par-2 or fr-par-3: datacentres in France only."
  }
}

variable "tags" {
  description = "Tags put on every resource that takes them."
  type        = list(string)
  default     = []
}
