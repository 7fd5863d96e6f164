# GlitchTip: the platform's error tracking, self-hosted in our own cluster so that error reports
# stay in France (issue 15.11). It speaks the Sentry protocol, so the application keeps
# sentry-sdk and only its DSN points here (ERROR_TRACKING=glitchtip). GlitchTip has its own
# database and its own user on the managed PostgreSQL instance (encrypted at rest, backups kept
# in the region); it runs as one all-in-one pod (web, worker and scheduler; Valkey disabled,
# PostgreSQL serves as its queue) behind a ClusterIP service: nothing of it is public. Staff
# reach its interface with `kubectl port-forward` (README, "Error tracking").

locals {
  labels = {
    "app.kubernetes.io/name"       = "glitchtip"
    "app.kubernetes.io/managed-by" = "terraform"
  }
  credentials  = "${urlencode(scaleway_rdb_user.glitchtip.name)}:${urlencode(random_password.database.result)}"
  database_url = "postgres://${local.credentials}@${var.database_endpoint}/${scaleway_rdb_database.glitchtip.name}?sslmode=require"
  domain       = "http://glitchtip.${var.namespace}.svc.cluster.local:8000"
}

resource "random_password" "database" {
  length           = 32
  special          = true
  override_special = "-_"
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
  min_special      = 1
}

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "scaleway_rdb_database" "glitchtip" {
  instance_id = var.database_instance_id
  name        = "glitchtip"
  region      = var.region
}

resource "scaleway_rdb_user" "glitchtip" {
  instance_id = var.database_instance_id
  name        = "glitchtip"
  password    = random_password.database.result
  is_admin    = false
  region      = var.region
}

resource "scaleway_rdb_privilege" "glitchtip" {
  instance_id   = var.database_instance_id
  user_name     = scaleway_rdb_user.glitchtip.name
  database_name = scaleway_rdb_database.glitchtip.name
  permission    = "all"
  region        = var.region
}

resource "kubernetes_namespace_v1" "glitchtip" {
  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce" = "baseline"
    }
  }
}

resource "kubernetes_config_map_v1" "env" {
  metadata {
    name      = "glitchtip-env"
    namespace = kubernetes_namespace_v1.glitchtip.metadata[0].name
    labels    = local.labels
  }

  data = {
    GLITCHTIP_DOMAIN              = local.domain
    SERVER_ROLE                   = "all_in_one"
    VALKEY_URL                    = ""
    PORT                          = "8000"
    DEFAULT_FROM_EMAIL            = var.default_from_email
    ENABLE_OPEN_USER_REGISTRATION = "False"
    GLITCHTIP_MAX_EVENT_LIFE_DAYS = tostring(var.event_retention_days)
  }
}

resource "kubernetes_secret_v1" "env" {
  metadata {
    name      = "glitchtip-env"
    namespace = kubernetes_namespace_v1.glitchtip.metadata[0].name
    labels    = local.labels
  }

  type = "Opaque"
  data = {
    DATABASE_URL = local.database_url
    SECRET_KEY   = random_password.secret_key.result
  }
}

resource "kubernetes_deployment_v1" "glitchtip" {
  metadata {
    name      = "glitchtip"
    namespace = kubernetes_namespace_v1.glitchtip.metadata[0].name
    labels    = local.labels
  }

  spec {
    replicas = 1

    selector {
      match_labels = local.labels
    }

    strategy {
      type = "Recreate"
    }

    template {
      metadata {
        labels = local.labels
      }

      spec {
        automount_service_account_token = false
        node_selector                   = { "k8s.scaleway.com/pool-name" = "jobs" }

        # Migrations of GlitchTip's own database before it serves.
        init_container {
          name    = "migrate"
          image   = var.image
          command = ["./bin/run-migrate.sh"]

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
        }

        container {
          name  = "glitchtip"
          image = var.image

          port {
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
            requests = { cpu = "100m", memory = "512Mi" }
            limits   = { memory = "1Gi" }
          }

          security_context {
            allow_privilege_escalation = false

            capabilities {
              drop = ["ALL"]
            }
          }

          readiness_probe {
            tcp_socket {
              port = 8000
            }
            period_seconds = 10
          }

          volume_mount {
            name       = "uploads"
            mount_path = "/code/uploads"
          }
        }

        volume {
          name = "uploads"
          empty_dir {}
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "glitchtip" {
  metadata {
    name      = "glitchtip"
    namespace = kubernetes_namespace_v1.glitchtip.metadata[0].name
    labels    = local.labels
  }

  spec {
    type     = "ClusterIP"
    selector = local.labels

    port {
      port        = 8000
      target_port = 8000
    }
  }
}
