# Managed Redis for the cache (db 0) and the Celery broker (db 1): TLS on, reachable only on
# the private network (a `private_network` block and no `acl` block means no public endpoint).

resource "random_password" "redis" {
  length           = 32
  special          = true
  override_special = "-_"
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
  min_special      = 1
}

resource "scaleway_redis_cluster" "main" {
  name         = "${var.name}-redis"
  version      = var.redis_version
  node_type    = var.node_type
  cluster_size = var.cluster_size
  user_name    = var.user_name
  password     = random_password.redis.result
  tls_enabled  = true
  zone         = var.zone
  tags         = var.tags

  # Cache keys carry a TTL and may be evicted under memory pressure; Celery's queues have none
  # and never are (a broker must not lose messages).
  settings = {
    "maxmemory-policy" = "volatile-lru"
  }

  private_network {
    id = var.private_network_id
  }
}

locals {
  # `private_ips` (a list of {id, address}), filled by IPAM on the private network.
  address     = scaleway_redis_cluster.main.private_ips[0].address
  credentials = "${urlencode(var.user_name)}:${urlencode(random_password.redis.result)}"
  # redis-py and kombu both read these query parameters on a rediss:// URL.
  tls_query = "ssl_cert_reqs=required&ssl_ca_certs=${urlencode(var.ca_certificate_path)}"
}
