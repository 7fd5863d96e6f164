variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "lb_type" {
  description = "Load balancer offer."
  type        = string
  default     = "LB-S"
}

variable "private_network_id" {
  description = "Private network the backends are reached on."
  type        = string
}

variable "backend_server_ips" {
  description = "Private IPv4 addresses of the web nodes."
  type        = list(string)
}

variable "backend_port" {
  description = "NodePort of the web service on those nodes."
  type        = number
  default     = 30080
}

variable "health_check_host" {
  description = "Host header of the health check (the base domain: Django refuses unknown hosts)."
  type        = string
}

variable "certificate_chain" {
  description = "Wildcard certificate, intermediates and private key, PEM, concatenated (see README)."
  type        = string
  sensitive   = true
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
