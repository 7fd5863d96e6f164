variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "subnet_cidr" {
  description = "IPv4 subnet of the private network (RFC 1918)."
  type        = string
  default     = "172.16.0.0/22"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be an IPv4 CIDR block."
  }
}

variable "public_gateway_enabled" {
  description = "Create the egress gateway. Required while Kubernetes nodes have no public IP."
  type        = bool
  default     = true
}

variable "public_gateway_type" {
  description = "Public gateway offer."
  type        = string
  default     = "VPC-GW-S"
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
