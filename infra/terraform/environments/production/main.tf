# Production on Scaleway, fr-par. Every service sits on one private network; the load balancer
# is the only public entry. See ../../README.md for the layout and the procedures.

module "network" {
  source = "../../modules/network"

  name        = var.name
  subnet_cidr = var.private_subnet_cidr
  region      = var.region
  zone        = var.zone
  tags        = var.tags
}

module "database" {
  source = "../../modules/database"

  name                  = var.name
  private_network_id    = module.network.private_network_id
  node_type             = var.db_node_type
  volume_size_in_gb     = var.db_volume_size_in_gb
  backup_retention_days = var.db_backup_retention_days
  read_replica_enabled  = var.db_read_replica_enabled
  region                = var.region
  tags                  = var.tags
}

module "redis" {
  source = "../../modules/redis"

  name               = var.name
  private_network_id = module.network.private_network_id
  node_type          = var.redis_node_type
  zone               = var.zone
  tags               = var.tags
}

module "storage" {
  source = "../../modules/storage"

  organization_id = var.organization_id
  name            = var.name
  project_id      = var.project_id
  bucket_name     = var.media_bucket_name
  region          = var.region
  tags            = { application = var.name, environment = "production" }
}

module "email" {
  source = "../../modules/email"

  name            = var.name
  organization_id = var.organization_id
  project_id      = var.project_id
  domain          = var.base_domain
  dns_zone        = var.dns_zone
  region          = var.region
}

module "compute" {
  source = "../../modules/compute"

  organization_id    = var.organization_id
  name               = var.name
  project_id         = var.project_id
  private_network_id = module.network.private_network_id
  kubernetes_version = var.kubernetes_version
  web_pool_size      = var.web_pool_size
  jobs_pool_max_size = var.jobs_pool_max_size
  region             = var.region
  zone               = var.zone
  tags               = var.tags

  # Nodes have no public IP: the egress gateway must be up before they boot.
  depends_on = [module.network]
}

module "loadbalancer" {
  source = "../../modules/loadbalancer"

  name               = var.name
  private_network_id = module.network.private_network_id
  backend_server_ips = module.compute.web_node_private_ips
  backend_port       = var.web_node_port
  health_check_host  = var.base_domain
  certificate_chain  = var.wildcard_certificate_chain
  zone               = var.zone
  tags               = var.tags
}

module "dns" {
  source = "../../modules/dns"

  dns_zone    = var.dns_zone
  base_domain = var.base_domain
  ip_address  = module.loadbalancer.ip_address
}

module "observability" {
  source = "../../modules/observability"

  name   = var.name
  region = var.region
}

# Error tracking stays in France: GlitchTip in the cluster, with its own database on the managed
# PostgreSQL instance. Only with error_tracking = "glitchtip".
module "glitchtip" {
  source = "../../modules/glitchtip"
  count  = var.error_tracking == "glitchtip" ? 1 : 0

  name                 = var.name
  database_instance_id = module.database.instance_id
  database_endpoint    = module.database.endpoint
  default_from_email   = var.default_from_email
  region               = var.region

  depends_on = [module.compute]
}

module "secrets" {
  source = "../../modules/secrets"

  path   = "/${var.name}/production"
  region = var.region
  tags   = var.tags
  values = {
    DATABASE_URL           = module.database.database_url
    REDIS_URL              = module.redis.cache_url
    CELERY_BROKER_URL      = module.redis.broker_url
    SCALEWAY_TEM_API_KEY   = module.email.api_secret_key
    AWS_ACCESS_KEY_ID      = module.storage.access_key
    AWS_SECRET_ACCESS_KEY  = module.storage.secret_key
    WHEREBY_API_KEY        = var.whereby_api_key
    WHEREBY_WEBHOOK_SECRET = var.whereby_webhook_secret
    SENTRY_DSN             = var.sentry_dsn
  }
}

module "app" {
  source = "../../modules/app"

  image                     = var.app_image
  base_domain               = var.base_domain
  node_port                 = var.web_node_port
  web_replicas              = var.web_replicas
  worker_replicas           = var.worker_replicas
  registry_docker_config    = module.compute.registry_docker_config
  redis_ca_certificate      = module.redis.ca_certificate
  redis_ca_certificate_path = module.redis.ca_certificate_path

  # Secrets: read back from Secret Manager, mounted as a Kubernetes Secret.
  secret_env = module.secrets.env

  # Plain settings only: a secret here would be a policy violation (tests/infra).
  config = {
    DJANGO_SETTINGS_MODULE  = "saas.settings.production"
    BASE_DOMAIN             = var.base_domain
    DEFAULT_FROM_EMAIL      = var.default_from_email
    SCALEWAY_PROJECT_ID     = var.project_id
    SCALEWAY_REGION         = var.region
    WHEREBY_BASE_URL        = var.whereby_base_url
    WHEREBY_API_URL         = var.whereby_base_url
    AWS_STORAGE_BUCKET_NAME = module.storage.bucket_name
    AWS_S3_ENDPOINT_URL     = module.storage.endpoint_url
    AWS_S3_REGION_NAME      = module.storage.region
    ERROR_TRACKING          = var.error_tracking
    SENTRY_ENVIRONMENT      = "production"
    SENTRY_RELEASE          = var.app_image
    GUNICORN_WORKERS        = tostring(var.gunicorn_workers)
    GUNICORN_THREADS        = tostring(var.gunicorn_threads)
    LOG_LEVEL               = "INFO"

    # Stated in the processing register: what the database module configures.
    DATABASE_BACKUP_RETENTION_DAYS = tostring(var.db_backup_retention_days)
  }
}
