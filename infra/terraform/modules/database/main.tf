# Managed PostgreSQL: one HA primary/standby pair, encrypted at rest, reachable only on the
# private network (no `load_balancer` block, hence no public endpoint), automated backups kept
# in the same region (the provider's default sends them to another region, see the README).

resource "random_password" "admin" {
  length           = 32
  special          = true
  override_special = "-_"
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
  min_special      = 1
}

resource "random_password" "app" {
  length           = 32
  special          = true
  override_special = "-_"
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
  min_special      = 1
}

resource "scaleway_rdb_instance" "main" {
  name               = "${var.name}-postgres"
  node_type          = var.node_type
  engine             = var.engine
  is_ha_cluster      = true
  encryption_at_rest = true
  volume_type        = var.volume_type
  volume_size_in_gb  = var.volume_size_in_gb
  user_name          = var.admin_user_name
  password           = random_password.admin.result
  region             = var.region
  tags               = var.tags
  settings           = var.settings

  disable_backup            = false
  backup_schedule_frequency = var.backup_frequency_hours
  backup_schedule_retention = var.backup_retention_days
  backup_same_region        = true

  private_network {
    pn_id       = var.private_network_id
    enable_ipam = true
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "scaleway_rdb_database" "app" {
  instance_id = scaleway_rdb_instance.main.id
  name        = var.database_name
  region      = var.region
}

# The application connects as its own, non-admin user. "all" on its database lets
# django-tenants create one schema per programme.
resource "scaleway_rdb_user" "app" {
  instance_id = scaleway_rdb_instance.main.id
  name        = var.app_user_name
  password    = random_password.app.result
  is_admin    = false
  region      = var.region
}

resource "scaleway_rdb_privilege" "app" {
  instance_id   = scaleway_rdb_instance.main.id
  user_name     = scaleway_rdb_user.app.name
  database_name = scaleway_rdb_database.app.name
  permission    = "all"
  region        = var.region
}

# Optional read replica (reporting, exports), also on the private network only.
resource "scaleway_rdb_read_replica" "main" {
  count = var.read_replica_enabled ? 1 : 0

  instance_id = scaleway_rdb_instance.main.id
  same_zone   = false
  region      = var.region

  private_network {
    private_network_id = var.private_network_id
    enable_ipam        = true
  }
}

locals {
  endpoint_ip   = scaleway_rdb_instance.main.private_network[0].ip
  endpoint_port = scaleway_rdb_instance.main.private_network[0].port
  credentials   = "${urlencode(scaleway_rdb_user.app.name)}:${urlencode(random_password.app.result)}"
  database_url  = "postgres://${local.credentials}@${local.endpoint_ip}:${local.endpoint_port}/${scaleway_rdb_database.app.name}?sslmode=require"
  replica_url = (
    var.read_replica_enabled
    ? "postgres://${local.credentials}@${scaleway_rdb_read_replica.main[0].private_network[0].ip}:${scaleway_rdb_read_replica.main[0].private_network[0].port}/${scaleway_rdb_database.app.name}?sslmode=require"
    : null
  )
}
