variable "namespace" {
  description = "Kubernetes namespace of the application."
  type        = string
  default     = "binome"
}

variable "image" {
  description = "Application image, pinned by tag or digest (rg.fr-par.scw.cloud/<namespace>/binome:<tag>)."
  type        = string
}

variable "base_domain" {
  description = "Base domain: Host header of the probes."
  type        = string
}

variable "config" {
  description = "Plain (non-secret) environment of web, worker and beat."
  type        = map(string)
}

variable "secret_env" {
  description = "Secret environment of web, worker and beat, as stored in Secret Manager."
  type        = map(string)
  sensitive   = true
}

variable "registry_docker_config" {
  description = "dockerconfigjson of the registry pull key."
  type        = string
  sensitive   = true
}

variable "redis_ca_certificate" {
  description = "PEM certificate of the Redis cluster."
  type        = string
}

variable "redis_ca_certificate_path" {
  description = "Path the Redis URLs expect the certificate at."
  type        = string
  default     = "/etc/binome/redis/ca.pem"
}

variable "node_port" {
  description = "NodePort of the web service (the load balancer backend port)."
  type        = number
  default     = 30080

  validation {
    condition     = var.node_port >= 30000 && var.node_port <= 32767
    error_message = "node_port must be in the Kubernetes NodePort range 30000-32767."
  }
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

variable "worker_concurrency" {
  description = "Celery processes per worker pod."
  type        = number
  default     = 4
}
