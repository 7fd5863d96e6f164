# The application on Kapsule: one image, three Deployments (web, worker, beat) and a migration
# Job that runs before a new image serves. Plain settings come from a ConfigMap, secrets from a
# Secret whose content is read from Secret Manager (module "secrets"): no secret is ever a
# plain `env` value here. Pods land on their pool through the label Kapsule puts on every
# node, k8s.scaleway.com/pool-name (web: gunicorn; jobs: worker, beat, migrations).

locals {
  labels = {
    "app.kubernetes.io/name"       = "binome"
    "app.kubernetes.io/managed-by" = "terraform"
  }
  web_labels    = merge(local.labels, { "app.kubernetes.io/component" = "web" })
  worker_labels = merge(local.labels, { "app.kubernetes.io/component" = "worker" })
  beat_labels   = merge(local.labels, { "app.kubernetes.io/component" = "beat" })
  # Pods restart when a setting or a secret changes (only a hash of the secrets is shown).
  checksum      = sha256("${jsonencode(var.config)}${nonsensitive(sha256(jsonencode(var.secret_env)))}")
  redis_ca_dir  = dirname(var.redis_ca_certificate_path)
  redis_ca_file = basename(var.redis_ca_certificate_path)
  migrate_name  = "migrate-${substr(sha256("${var.image}${local.checksum}"), 0, 12)}"
}

resource "kubernetes_namespace_v1" "app" {
  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce" = "restricted"
    }
  }
}

resource "kubernetes_config_map_v1" "env" {
  metadata {
    name      = "binome-env"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.labels
  }

  data = var.config
}

resource "kubernetes_secret_v1" "env" {
  metadata {
    name      = "binome-env"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.labels
  }

  type = "Opaque"
  data = var.secret_env
}

resource "kubernetes_config_map_v1" "redis_ca" {
  metadata {
    name      = "redis-ca"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.labels
  }

  data = {
    (local.redis_ca_file) = var.redis_ca_certificate
  }
}

resource "kubernetes_secret_v1" "registry" {
  metadata {
    name      = "registry-pull"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.labels
  }

  type = "kubernetes.io/dockerconfigjson"
  data = {
    ".dockerconfigjson" = var.registry_docker_config
  }
}

# The deploy gate, once per image and configuration: the Job's name carries a hash of the image
# reference and of the settings and secrets, so a new image or a changed secret means a new Job
# (environment check, migrate_schemas, migrations_check), and the Deployments wait for it.
resource "kubernetes_job_v1" "migrate" {
  metadata {
    name      = local.migrate_name
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = merge(local.labels, { "app.kubernetes.io/component" = "migrate" })
  }

  spec {
    backoff_limit = 1

    template {
      metadata {
        labels = merge(local.labels, { "app.kubernetes.io/component" = "migrate" })
      }

      spec {
        restart_policy                  = "Never"
        automount_service_account_token = false
        node_selector                   = { "k8s.scaleway.com/pool-name" = "jobs" }

        image_pull_secrets {
          name = kubernetes_secret_v1.registry.metadata[0].name
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name  = "migrate"
          image = var.image
          # Check that the connection URLs of the pod's environment parse (a base64-encoded
          # DATABASE_URL fails here, by name), migrate every schema (executor chosen by
          # TENANT_MIGRATION_PROCESSES), then fail the Job, and so the deploy, if any schema lags.
          # The same command as docker-compose.yml's `migrate` (tests/infra runs it).
          command = [
            "sh", "-c",
            "python infra/docker/check_environment.py && python manage.py migrate_schemas --noinput && python manage.py migrations_check",
          ]

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.env.metadata[0].name
            }
          }

          env_from {
            secret_ref {
              name = kubernetes_secret_v1.env.metadata[0].name
            }
          }

          resources {
            requests = { cpu = "500m", memory = "512Mi" }
            limits   = { memory = "1Gi" }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true

            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "redis-ca"
            mount_path = local.redis_ca_dir
            read_only  = true
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }

        volume {
          name = "redis-ca"
          config_map {
            name = kubernetes_config_map_v1.redis_ca.metadata[0].name
          }
        }
      }
    }
  }

  wait_for_completion = true

  timeouts {
    create = "30m"
    update = "30m"
  }
}

resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.web_labels
  }

  spec {
    replicas = var.web_replicas

    selector {
      match_labels = local.web_labels
    }

    strategy {
      type = "RollingUpdate"

      rolling_update {
        max_surge       = "25%"
        max_unavailable = "0"
      }
    }

    template {
      metadata {
        labels      = local.web_labels
        annotations = { "binome/checksum" = local.checksum }
      }

      spec {
        automount_service_account_token  = false
        termination_grace_period_seconds = 45
        node_selector                    = { "k8s.scaleway.com/pool-name" = "web" }

        image_pull_secrets {
          name = kubernetes_secret_v1.registry.metadata[0].name
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name    = "web"
          image   = var.image
          command = ["gunicorn", "-c", "infra/docker/gunicorn.conf.py", "saas.wsgi:application"]

          port {
            name           = "http"
            container_port = 8000
          }

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.env.metadata[0].name
            }
          }

          env_from {
            secret_ref {
              name = kubernetes_secret_v1.env.metadata[0].name
            }
          }

          resources {
            requests = { cpu = "500m", memory = "768Mi" }
            limits   = { memory = "1536Mi" }
          }

          readiness_probe {
            http_get {
              path = "/healthz"
              port = 8000

              http_header {
                name  = "Host"
                value = var.base_domain
              }
            }

            period_seconds    = 10
            timeout_seconds   = 3
            failure_threshold = 3
          }

          liveness_probe {
            http_get {
              path = "/healthz"
              port = 8000

              http_header {
                name  = "Host"
                value = var.base_domain
              }
            }

            initial_delay_seconds = 30
            period_seconds        = 20
            timeout_seconds       = 5
            failure_threshold     = 3
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true

            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "redis-ca"
            mount_path = local.redis_ca_dir
            read_only  = true
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }

        volume {
          name = "redis-ca"
          config_map {
            name = kubernetes_config_map_v1.redis_ca.metadata[0].name
          }
        }
      }
    }
  }

  wait_for_rollout = true

  depends_on = [kubernetes_job_v1.migrate]
}

resource "kubernetes_deployment_v1" "worker" {
  metadata {
    name      = "worker"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.worker_labels
  }

  spec {
    replicas = var.worker_replicas

    selector {
      match_labels = local.worker_labels
    }

    template {
      metadata {
        labels      = local.worker_labels
        annotations = { "binome/checksum" = local.checksum }
      }

      spec {
        automount_service_account_token = false
        # Celery finishes the task in hand on SIGTERM (warm shutdown).
        termination_grace_period_seconds = 300
        node_selector                    = { "k8s.scaleway.com/pool-name" = "jobs" }

        image_pull_secrets {
          name = kubernetes_secret_v1.registry.metadata[0].name
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name    = "worker"
          image   = var.image
          command = ["celery", "-A", "saas", "worker", "-l", "info", "--concurrency", tostring(var.worker_concurrency)]

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.env.metadata[0].name
            }
          }

          env_from {
            secret_ref {
              name = kubernetes_secret_v1.env.metadata[0].name
            }
          }

          resources {
            requests = { cpu = "500m", memory = "768Mi" }
            limits   = { memory = "1536Mi" }
          }

          liveness_probe {
            exec {
              command = ["sh", "-c", "celery -A saas inspect ping --destination celery@$HOSTNAME --timeout 10"]
            }

            initial_delay_seconds = 60
            period_seconds        = 120
            timeout_seconds       = 30
            failure_threshold     = 3
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true

            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "redis-ca"
            mount_path = local.redis_ca_dir
            read_only  = true
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }

        volume {
          name = "redis-ca"
          config_map {
            name = kubernetes_config_map_v1.redis_ca.metadata[0].name
          }
        }
      }
    }
  }

  wait_for_rollout = true

  depends_on = [kubernetes_job_v1.migrate]
}

# Exactly one scheduler: one replica, and Recreate so that a rollout stops the old beat before
# starting the new one (two beats would send every periodic task twice).
resource "kubernetes_deployment_v1" "beat" {
  metadata {
    name      = "beat"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.beat_labels
  }

  spec {
    replicas = 1

    selector {
      match_labels = local.beat_labels
    }

    strategy {
      type = "Recreate"
    }

    template {
      metadata {
        labels      = local.beat_labels
        annotations = { "binome/checksum" = local.checksum }
      }

      spec {
        automount_service_account_token  = false
        termination_grace_period_seconds = 30
        node_selector                    = { "k8s.scaleway.com/pool-name" = "jobs" }

        image_pull_secrets {
          name = kubernetes_secret_v1.registry.metadata[0].name
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name  = "beat"
          image = var.image
          command = [
            "celery", "-A", "saas", "beat", "-l", "info",
            "--schedule", "/tmp/celerybeat-schedule", "--enable-remote-control",
          ]

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.env.metadata[0].name
            }
          }

          env_from {
            secret_ref {
              name = kubernetes_secret_v1.env.metadata[0].name
            }
          }

          resources {
            requests = { cpu = "100m", memory = "256Mi" }
            limits   = { memory = "512Mi" }
          }

          liveness_probe {
            exec {
              command = ["sh", "-c", "celery -A saas inspect ping --destination celerybeat@$HOSTNAME --timeout 10"]
            }

            initial_delay_seconds = 60
            period_seconds        = 120
            timeout_seconds       = 30
            failure_threshold     = 3
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true

            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "redis-ca"
            mount_path = local.redis_ca_dir
            read_only  = true
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }

        volume {
          name = "redis-ca"
          config_map {
            name = kubernetes_config_map_v1.redis_ca.metadata[0].name
          }
        }
      }
    }
  }

  wait_for_rollout = true

  depends_on = [kubernetes_job_v1.migrate]
}

# The load balancer reaches the web pods through this NodePort on the web nodes.
resource "kubernetes_service_v1" "web" {
  metadata {
    name      = "web"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.web_labels
  }

  spec {
    type                    = "NodePort"
    selector                = local.web_labels
    external_traffic_policy = "Cluster"

    port {
      name        = "http"
      port        = 80
      target_port = 8000
      node_port   = var.node_port
      protocol    = "TCP"
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "web" {
  metadata {
    name      = "web"
    namespace = kubernetes_namespace_v1.app.metadata[0].name
    labels    = local.web_labels
  }

  spec {
    min_available = 1

    selector {
      match_labels = local.web_labels
    }
  }
}
