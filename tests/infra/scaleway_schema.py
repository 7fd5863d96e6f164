"""Allow-list of the resource types the Terraform tree may use, with their known arguments.

Seeded from shared/contracts/scaleway.md and checked against the provider's own documentation
and schema (repository scaleway/terraform-provider-scaleway: docs/resources/<name>.md and
internal/services/<service>/*.go) for `scaleway/scaleway ~> 2.81`; hashicorp/kubernetes and
hashicorp/random from their documentation. `source` names where each list was read.

For each type: `arguments` are attributes set with `name = value`, `blocks` are nested blocks
(`name { ... }`), and `nested` optionally lists the arguments and blocks of a nested block, for
the blocks whose content the tests also check. An argument that is missing here is not
necessarily wrong: check the provider's documentation, then add it with its source.
"""

# Meta-arguments Terraform accepts on every resource.
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})

RESOURCES: dict[str, dict] = {
    # --- VPC -----------------------------------------------------------------------------
    "scaleway_vpc": {
        "source": "docs/resources/vpc.md",
        "arguments": {
            "name",
            "tags",
            "enable_routing",
            "enable_custom_routes_propagation",
            "enable_transitivity",
            "region",
            "project_id",
        },
        "blocks": set(),
    },
    "scaleway_vpc_private_network": {
        "source": "docs/resources/vpc_private_network.md",
        "arguments": {"name", "tags", "project_id", "region", "vpc_id", "is_regional", "zone"},
        "blocks": {"ipv4_subnet", "ipv6_subnets"},
        "nested": {"ipv4_subnet": {"subnet"}, "ipv6_subnets": {"subnet"}},
    },
    "scaleway_vpc_public_gateway_ip": {
        "source": "docs/resources/vpc_public_gateway_ip.md",
        "arguments": {"reverse", "tags", "zone", "project_id"},
        "blocks": set(),
    },
    "scaleway_vpc_public_gateway": {
        "source": "docs/resources/vpc_public_gateway.md",
        "arguments": {
            "type",
            "name",
            "tags",
            "zone",
            "project_id",
            "upstream_dns_servers",
            "ip_id",
            "bastion_enabled",
            "bastion_port",
            "enable_smtp",
            "refresh_ssh_keys",
        },
        "blocks": set(),
    },
    "scaleway_vpc_gateway_network": {
        "source": "docs/resources/vpc_gateway_network.md",
        "arguments": {
            "gateway_id",
            "private_network_id",
            "dhcp_id",
            "enable_masquerade",
            "enable_dhcp",
            "cleanup_dhcp",
            "static_address",
            "zone",
        },
        "blocks": {"ipam_config"},
        "nested": {"ipam_config": {"push_default_route"}},
    },
    # --- Managed PostgreSQL ----------------------------------------------------------------
    "scaleway_rdb_instance": {
        "source": "docs/resources/rdb_instance.md",
        "arguments": {
            "node_type",
            "engine",
            "allow_major_version_upgrade",
            "volume_type",
            "volume_size_in_gb",
            "user_name",
            "password",
            "password_wo",
            "password_wo_version",
            "is_ha_cluster",
            "name",
            "tags",
            "region",
            "project_id",
            "encryption_at_rest",
            "snapshot_id",
            "disable_backup",
            "backup_schedule_frequency",
            "backup_schedule_retention",
            "backup_same_region",
            "settings",
            "init_settings",
        },
        "blocks": {"private_network", "load_balancer", "timeouts"},
        "nested": {"private_network": {"pn_id", "ip_net", "enable_ipam"}},
    },
    "scaleway_rdb_database": {
        "source": "docs/resources/rdb_database.md",
        "arguments": {"instance_id", "name", "region"},
        "blocks": set(),
    },
    "scaleway_rdb_user": {
        "source": "docs/resources/rdb_user.md",
        "arguments": {"instance_id", "name", "password", "is_admin", "region"},
        "blocks": set(),
    },
    "scaleway_rdb_privilege": {
        "source": "docs/resources/rdb_privilege.md",
        "arguments": {"instance_id", "user_name", "database_name", "permission", "region"},
        "blocks": set(),
    },
    "scaleway_rdb_read_replica": {
        "source": "docs/resources/rdb_read_replica.md",
        "arguments": {"instance_id", "same_zone", "region"},
        "blocks": {"direct_access", "private_network"},
        "nested": {"private_network": {"private_network_id", "service_ip", "enable_ipam"}},
    },
    "scaleway_rdb_acl": {
        "source": "shared/contracts/scaleway.md",
        "arguments": {"instance_id", "region"},
        "blocks": {"acl_rules"},
    },
    # --- Managed Redis ---------------------------------------------------------------------
    "scaleway_redis_cluster": {
        "source": "internal/services/redis/cluster.go, docs/resources/redis_cluster.md",
        "arguments": {
            "name",
            "version",
            "node_type",
            "user_name",
            "password",
            "password_wo",
            "password_wo_version",
            "tags",
            "cluster_size",
            "tls_enabled",
            "settings",
            "zone",
            "project_id",
        },
        "blocks": {"acl", "private_network", "public_network", "timeouts"},
        "nested": {"private_network": {"id", "service_ips"}},
    },
    # --- Object Storage --------------------------------------------------------------------
    "scaleway_object_bucket": {
        "source": "internal/services/object/bucket.go, docs/resources/object_bucket.md",
        "arguments": {
            "name",
            "object_lock_enabled",
            "acl",
            "tags",
            "force_destroy",
            "region",
            "project_id",
        },
        "blocks": {"cors_rule", "lifecycle_rule", "versioning", "timeouts"},
        "nested": {
            "versioning": {"enabled"},
            "lifecycle_rule": {
                "id",
                "prefix",
                "tags",
                "enabled",
                "abort_incomplete_multipart_upload_days",
                "expiration",
                "transition",
                "noncurrent_version_expiration",  # v2.76.0
            },
        },
    },
    "scaleway_object_bucket_acl": {
        "source": "docs/resources/object_bucket_acl.md",
        "arguments": {"bucket", "acl", "expected_bucket_owner", "region", "project_id"},
        "blocks": {"access_control_policy"},
    },
    "scaleway_object_bucket_policy": {
        "source": "shared/contracts/scaleway.md",
        "arguments": {"bucket", "policy", "region", "project_id"},
        "blocks": set(),
    },
    # --- Transactional Email and DNS -------------------------------------------------------
    "scaleway_tem_domain": {
        "source": "internal/services/tem/domain.go, docs/resources/tem_domain.md",
        "arguments": {"name", "accept_tos", "autoconfig", "region", "project_id"},
        "blocks": set(),
    },
    "scaleway_tem_domain_validation": {
        "source": "docs/resources/tem_domain_validation.md",
        "arguments": {"domain_id", "region", "timeout"},
        "blocks": set(),
    },
    "scaleway_domain_record": {
        "source": "docs/resources/domain_record.md",
        "arguments": {"dns_zone", "keep_empty_zone", "name", "type", "data", "ttl", "priority"},
        "blocks": {"geo_ip", "http_service", "view", "weighted"},
    },
    # --- Secret Manager --------------------------------------------------------------------
    "scaleway_secret": {
        "source": "docs/resources/secret.md",
        "arguments": {"name", "path", "protected", "description", "tags", "region", "project_id"},
        "blocks": {"ephemeral_policy"},
    },
    "scaleway_secret_version": {
        "source": "docs/resources/secret_version.md",
        "arguments": {"secret_id", "data", "description", "region"},
        "blocks": set(),
    },
    # --- IAM -------------------------------------------------------------------------------
    "scaleway_iam_application": {
        "source": "shared/contracts/scaleway.md, docs/resources/iam_application.md",
        "arguments": {"name", "description", "tags", "organization_id"},
        "blocks": set(),
    },
    "scaleway_iam_policy": {
        "source": "docs/resources/iam_policy.md",
        "arguments": {
            "name",
            "description",
            "organization_id",
            "user_id",
            "group_id",
            "application_id",
            "no_principal",
        },
        "blocks": {"rule"},
        "nested": {"rule": {"organization_id", "project_ids", "permission_set_names"}},
    },
    "scaleway_iam_api_key": {
        "source": "docs/resources/iam_api_key.md",
        "arguments": {
            "description",
            "application_id",
            "user_id",
            "expires_at",
            "default_project_id",
        },
        "blocks": set(),
    },
    # --- Kubernetes (Kapsule) and registry -------------------------------------------------
    "scaleway_k8s_cluster": {
        "source": "internal/services/k8s/cluster.go",
        "arguments": {
            "name",
            "type",
            "description",
            "version",
            "cni",
            "tags",
            "feature_gates",
            "admission_plugins",
            "apiserver_cert_sans",
            "delete_additional_resources",
            "private_network_id",
            "pod_cidr",
            "service_cidr",
            "service_dns_ip",
            "region",
            "organization_id",
            "project_id",
        },
        "blocks": {"autoscaler_config", "auto_upgrade", "open_id_connect_config", "timeouts"},
        "nested": {
            "auto_upgrade": {"enable", "maintenance_window_start_hour", "maintenance_window_day"}
        },
    },
    "scaleway_k8s_pool": {
        "source": "docs/resources/k8s_pool.md",
        "arguments": {
            "cluster_id",
            "name",
            "node_type",
            "size",
            "version",
            "min_size",
            "max_size",
            "tags",
            "placement_group_id",
            "autoscaling",
            "autohealing",
            "container_runtime",
            "kubelet_args",
            "root_volume_type",
            "root_volume_size_in_gb",
            "zone",
            "region",
            "wait_for_pool_ready",
            "public_ip_disabled",
            "security_group_id",
            "labels",
        },
        "blocks": {"upgrade_policy", "taints", "startup_taints", "timeouts"},
        "nested": {"upgrade_policy": {"max_surge", "max_unavailable"}},
    },
    "scaleway_registry_namespace": {
        "source": "docs/resources/registry_namespace.md",
        "arguments": {"name", "description", "is_public", "region", "project_id"},
        "blocks": set(),
    },
    # --- Load balancer ---------------------------------------------------------------------
    "scaleway_lb_ip": {
        "source": "docs/resources/lb_ip.md",
        "arguments": {"zone", "project_id", "reverse", "is_ipv6", "tags"},
        "blocks": set(),
    },
    "scaleway_lb": {
        "source": "internal/services/lb/lb.go",
        "arguments": {
            "name",
            "description",
            "type",
            "tags",
            "ip_id",
            "ip_ids",
            "release_ip",
            "ssl_compatibility_level",
            "assign_flexible_ip",
            "assign_flexible_ipv6",
            "zone",
            "project_id",
        },
        "blocks": {"private_network", "timeouts"},
        "nested": {
            "private_network": {"private_network_id", "static_config", "dhcp_config", "ipam_ids"}
        },
    },
    "scaleway_lb_backend": {
        "source": "internal/services/lb/backend.go",
        "arguments": {
            "lb_id",
            "name",
            "forward_protocol",
            "forward_port",
            "forward_port_algorithm",
            "sticky_sessions",
            "sticky_sessions_cookie_name",
            "server_ips",
            "send_proxy_v2",
            "proxy_protocol",
            "timeout_server",
            "timeout_connect",
            "timeout_tunnel",
            "health_check_timeout",
            "health_check_delay",
            "health_check_port",
            "health_check_max_retries",
            "health_check_transient_delay",
            "health_check_send_proxy",
            "on_marked_down_action",
            "failover_host",
            "ssl_bridging",
            "ignore_ssl_server_verify",
            "max_connections",
            "timeout_queue",
            "redispatch_attempt_count",
            "max_retries",
        },
        "blocks": {"health_check_tcp", "health_check_http", "health_check_https", "timeouts"},
        "nested": {"health_check_http": {"uri", "method", "code", "host_header"}},
    },
    "scaleway_lb_frontend": {
        "source": "internal/services/lb/frontend.go",
        "arguments": {
            "lb_id",
            "backend_id",
            "name",
            "inbound_port",
            "timeout_client",
            "certificate_ids",
            "external_acls",
            "enable_http3",
            "connection_rate_limit",
            "enable_access_logs",
        },
        "blocks": {"acl", "timeouts"},
        "nested": {"acl": {"name", "description", "action", "match"}},
    },
    "scaleway_lb_certificate": {
        "source": "docs/resources/lb_certificate.md",
        "arguments": {"lb_id", "name", "zone"},
        "blocks": {"letsencrypt", "custom_certificate", "timeouts"},
        "nested": {
            "custom_certificate": {"certificate_chain"},
            "letsencrypt": {"common_name", "subject_alternative_name"},
        },
    },
    # --- Cockpit ---------------------------------------------------------------------------
    "scaleway_cockpit_source": {
        "source": "docs/resources/cockpit_source.md",
        "arguments": {"name", "type", "region", "project_id", "retention_days"},
        "blocks": set(),
    },
    "scaleway_cockpit_token": {
        "source": "docs/resources/cockpit_token.md",
        "arguments": {"name", "region", "project_id"},
        "blocks": {"scopes"},
        "nested": {
            "scopes": {
                "query_metrics",
                "write_metrics",
                "setup_metrics_rules",
                "query_logs",
                "write_logs",
                "setup_logs_rules",
                "setup_alerts",
                "query_traces",
                "write_traces",
            }
        },
    },
    # --- hashicorp/random ------------------------------------------------------------------
    "random_password": {
        "source": "registry.terraform.io/providers/hashicorp/random: random_password",
        "arguments": {
            "length",
            "special",
            "upper",
            "lower",
            "numeric",
            "min_upper",
            "min_lower",
            "min_numeric",
            "min_special",
            "override_special",
            "keepers",
        },
        "blocks": set(),
    },
    # --- hashicorp/kubernetes (top level only: metadata/spec follow the Kubernetes API) ---
    "kubernetes_namespace_v1": {
        "source": "hashicorp/kubernetes docs/resources/namespace_v1.md",
        "arguments": {"wait_for_default_service_account"},
        "blocks": {"metadata", "timeouts"},
    },
    "kubernetes_config_map_v1": {
        "source": "hashicorp/kubernetes docs/resources/config_map_v1.md",
        "arguments": {"data", "binary_data", "immutable"},
        "blocks": {"metadata"},
    },
    "kubernetes_secret_v1": {
        "source": "hashicorp/kubernetes docs/resources/secret_v1.md",
        "arguments": {
            "data",
            "binary_data",
            "type",
            "immutable",
            "wait_for_service_account_token",
        },
        "blocks": {"metadata", "timeouts"},
    },
    "kubernetes_deployment_v1": {
        "source": "hashicorp/kubernetes docs/resources/deployment_v1.md",
        "arguments": {"wait_for_rollout"},
        "blocks": {"metadata", "spec", "timeouts"},
    },
    "kubernetes_job_v1": {
        "source": "hashicorp/kubernetes docs/resources/job_v1.md",
        "arguments": {"wait_for_completion"},
        "blocks": {"metadata", "spec", "timeouts"},
    },
    "kubernetes_service_v1": {
        "source": "hashicorp/kubernetes docs/resources/service_v1.md",
        "arguments": {"wait_for_load_balancer"},
        "blocks": {"metadata", "spec", "timeouts"},
    },
    "kubernetes_pod_disruption_budget_v1": {
        "source": "hashicorp/kubernetes docs/resources/pod_disruption_budget_v1.md",
        "arguments": set(),
        "blocks": {"metadata", "spec"},
    },
}

# Data sources the tree may read (none today: secrets flow through module outputs).
DATA_SOURCES: dict[str, dict] = {}
