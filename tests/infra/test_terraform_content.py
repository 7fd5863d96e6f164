"""What production must contain: remote state, HA database with an optional replica, TLS Redis,
bucket lifecycle, email authentication records, secrets, compute for web/worker/beat behind a
load balancer with an HTTP->HTTPS redirect, wildcard DNS and certificate, Cockpit sources."""

import json
import re
import shutil
import subprocess
from functools import cache

import pytest

from tests.infra.hcl_tree import (
    TERRAFORM_ROOT,
    backends,
    blocks,
    expression,
    load_tree,
    locals_of,
    module_calls,
    providers,
    resources,
    variables,
)
from tests.infra.policies import SECRET_ENV_NAMES


@cache
def real_tree() -> dict[str, dict]:
    return load_tree()


def one(resource_type: str, name: str | None = None) -> dict:
    bodies = [
        body
        for _, rtype, rname, body in resources(real_tree(), resource_type)
        if name is None or rname == name
    ]
    assert len(bodies) == 1, f"{resource_type}.{name}: {len(bodies)} found"
    return bodies[0]


def module_call(name: str) -> dict:
    return next(body for _, call, body in module_calls(real_tree()) if call == name)


def test_state_is_in_scaleway_object_storage_with_a_lock_file():
    # given
    found = list(backends(real_tree()))

    # when
    (directory, kind, backend) = found[0]

    # then
    assert len(found) == 1
    assert (directory, kind) == ("environments/production", "s3")
    assert backend["endpoints"] == {"s3": "https://s3.fr-par.scw.cloud"}
    assert backend["region"] == "fr-par"
    for flag in (
        "use_lockfile",
        "use_path_style",
        "skip_credentials_validation",
        "skip_region_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "skip_s3_checksum",
    ):
        assert backend[flag] is True, flag


def test_every_module_pins_the_scaleway_provider():
    # given
    tree = real_tree()

    # when
    constraints = {
        directory: provider["scaleway"]
        for directory, document in tree.items()
        for block in document.get("terraform", [])
        for provider in block.get("required_providers", [])
        if "scaleway" in provider
    }

    # then
    assert set(constraints) == set(tree) - {"modules/app"}
    assert {c["source"] for c in constraints.values()} == {"scaleway/scaleway"}
    assert {c["version"] for c in constraints.values()} == {"~> 2.81"}


def test_read_replica_is_optional_by_variable():
    # given
    replica = one("scaleway_rdb_read_replica")

    # when
    count = expression(replica["count"])

    # then
    assert count == "var.read_replica_enabled ? 1 : 0"
    assert blocks(replica, "private_network")[0]["enable_ipam"] is True


def test_database_backups_have_a_schedule_and_a_retention():
    # given
    database = one("scaleway_rdb_instance")

    # when
    schedule = (database["backup_schedule_frequency"], database["backup_schedule_retention"])

    # then
    assert schedule == ("${var.backup_frequency_hours}", "${var.backup_retention_days}")
    assert database["disable_backup"] is False


def test_bucket_lifecycle_expires_exports_and_abandoned_uploads():
    # given
    bucket = one("scaleway_object_bucket")

    # when
    rules = {rule["id"]: rule for rule in blocks(bucket, "lifecycle_rule")}

    # then
    assert set(rules) == {
        "expire-exports",
        "expire-tmp",
        "expire-noncurrent-versions",
        "abort-incomplete-multipart-uploads",
    }
    assert all(rule["enabled"] is True for rule in rules.values())
    assert rules["expire-exports"]["prefix"] == "${var.exports_prefix}"
    assert blocks(rules["expire-exports"], "expiration")[0]["days"] == (
        "${var.exports_expiration_days}"
    )
    assert (
        rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload_days"] == 7
    )


def test_versioned_bucket_expires_previous_versions_of_every_file():
    # given the versioned bucket
    bucket = one("scaleway_object_bucket")
    assert blocks(bucket, "versioning")[0]["enabled"] is True

    # when
    rules = {rule["id"]: rule for rule in blocks(bucket, "lifecycle_rule")}

    # then previous versions expire, for every key (no prefix), after the configured days
    rule = rules["expire-noncurrent-versions"]
    assert rule["enabled"] is True and "prefix" not in rule
    (expiration,) = blocks(rule, "noncurrent_version_expiration")
    assert expiration["noncurrent_days"] == "${var.noncurrent_version_expiration_days}"


def test_email_domain_publishes_spf_dkim_dmarc_and_is_validated():
    # given
    records = {
        name: body
        for directory, _, name, body in resources(real_tree(), "scaleway_domain_record")
        if directory == "modules/email"
    }

    # when
    validation = one("scaleway_tem_domain_validation")

    # then
    assert set(records) == {"spf", "dkim", "dmarc"}
    assert {body["type"] for body in records.values()} == {"TXT"}
    assert records["spf"]["data"] == (
        '${join(" ", compact(["v=spf1", scaleway_tem_domain.main.spf_config, '
        'var.spf_extra_mechanisms, "-all"]))}'
    )
    assert records["dkim"]["data"] == "${scaleway_tem_domain.main.dkim_config}"
    assert "._domainkey" in records["dkim"]["name"]
    assert records["dmarc"]["name"] == "${local.dmarc_name}"
    assert validation["domain_id"] == "${scaleway_tem_domain.main.id}"
    assert one("scaleway_tem_domain")["accept_tos"] is True


def test_secret_manager_holds_the_application_secrets():
    # given
    names = locals_of(real_tree(), "modules/secrets")["secret_names"]

    # when
    version = one("scaleway_secret_version")

    # then
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "WHEREBY_API_KEY", "SENTRY_DSN"} <= set(names)
    assert set(names) <= SECRET_ENV_NAMES
    assert expression(one("scaleway_secret")["for_each"]) == "toset(local.secret_names)"
    assert expression(version["for_each"]) == "scaleway_secret.app"


def test_production_passes_every_secret_to_secret_manager():
    # given
    names = set(locals_of(real_tree(), "modules/secrets")["secret_names"])

    # when
    passed = set(module_call("secrets")["values"]) | {"DJANGO_SECRET_KEY"}

    # then
    assert passed == names


def test_application_environment_is_complete():
    # given
    app = module_call("app")

    # when
    environment = set(app["config"]) | set(
        locals_of(real_tree(), "modules/secrets")["secret_names"]
    )

    # then
    assert app["config"]["DJANGO_SETTINGS_MODULE"] == "saas.settings.production"
    assert app["secret_env"] == "${module.secrets.env}"
    assert {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "BASE_DOMAIN",
        "DEFAULT_FROM_EMAIL",
        "SCALEWAY_TEM_API_KEY",
        "SENTRY_DSN",
        "WHEREBY_API_KEY",
        "WHEREBY_BASE_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    } <= environment


def test_web_worker_and_beat_run_the_same_image_with_their_commands():
    # given
    deployments = {
        name: body
        for directory, _, name, body in resources(real_tree(), "kubernetes_deployment_v1")
        if directory == "modules/app"  # modules/glitchtip runs GlitchTip's own image
    }

    # when
    containers = {
        name: body["spec"][0]["template"][0]["spec"][0]["container"][0]
        for name, body in deployments.items()
    }

    # then
    assert set(containers) == {"web", "worker", "beat"}
    assert {container["image"] for container in containers.values()} == {"${var.image}"}
    assert containers["web"]["command"] == [
        "gunicorn",
        "-c",
        "infra/docker/gunicorn.conf.py",
        "saas.wsgi:application",
    ]
    assert containers["worker"]["command"][:5] == ["celery", "-A", "saas", "worker", "-l"]
    assert containers["beat"]["command"][:5] == ["celery", "-A", "saas", "beat", "-l"]


def test_there_is_exactly_one_beat_and_it_never_overlaps():
    # given
    beat = one("kubernetes_deployment_v1", "beat")

    # when
    spec = beat["spec"][0]

    # then
    assert spec["replicas"] == 1
    assert spec["strategy"][0]["type"] == "Recreate"


def test_migrations_run_before_the_deployments():
    # given
    job = one("kubernetes_job_v1", "migrate")

    # when
    command = job["spec"][0]["template"][0]["spec"][0]["container"][0]["command"]

    # then: the command itself is run against a database by test_migration_command.py
    assert command[:2] == ["sh", "-c"]
    assert job["wait_for_completion"] is True
    for name in ("web", "worker", "beat"):
        depends_on = one("kubernetes_deployment_v1", name)["depends_on"]
        assert depends_on == ["${kubernetes_job_v1.migrate}"]


def test_load_balancer_redirects_http_and_serves_https_with_the_wildcard_certificate():
    # given
    https = one("scaleway_lb_frontend", "https")
    http = one("scaleway_lb_frontend", "http_redirect")

    # when
    action = blocks(blocks(http, "acl")[0], "action")[0]

    # then
    assert https["inbound_port"] == 443
    assert https["certificate_ids"] == ["${scaleway_lb_certificate.wildcard.id}"]
    assert http["inbound_port"] == 80
    assert action["type"] == "redirect"
    assert blocks(action, "redirect")[0] == {
        "type": "scheme",
        "target": "https",
        "code": 301,
        "__is_block__": True,
    }


def test_wildcard_certificate_is_imported_not_lets_encrypt():
    # given
    certificate = one("scaleway_lb_certificate")

    # when
    custom = blocks(certificate, "custom_certificate")

    # then
    assert "letsencrypt" not in certificate
    assert custom[0]["certificate_chain"] == "${var.certificate_chain}"


def test_wildcard_dns_points_at_the_load_balancer():
    # given
    wildcard = one("scaleway_domain_record", "wildcard")

    # when
    dns_call = module_call("dns")

    # then
    assert wildcard["type"] == "A"
    assert wildcard["name"] == "${local.wildcard_name}"
    assert wildcard["data"] == "${var.ip_address}"
    assert dns_call["ip_address"] == "${module.loadbalancer.ip_address}"
    assert re.search(r'"\*"', locals_of(real_tree(), "modules/dns")["wildcard_name"])


def test_cockpit_has_metrics_and_logs_sources():
    # given
    sources = {name: body for _, _, name, body in resources(real_tree(), "scaleway_cockpit_source")}

    # when
    types = {name: body["type"] for name, body in sources.items()}

    # then
    assert types == {"metrics": "metrics", "logs": "logs"}


def test_every_region_and_zone_variable_defaults_to_paris():
    # given
    defaults = {
        (directory, name): body.get("default")
        for directory, name, body in variables(real_tree())
        if name in {"region", "zone"}
    }

    # when
    values = set(defaults.values())

    # then
    assert values == {"fr-par", "fr-par-1"}
    assert ("environments/production", "region") in defaults


def _locals_block(path) -> str:
    """The text of the first `locals { ... }` block of a .tf file (braces matched)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("locals {")
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0 and text[index] == "}":
            return text[start : index + 1]
    raise AssertionError(f"unclosed locals block in {path}")


def _evaluate_email_local(tmp_path, name: str, domain: str, dns_zone: str) -> str:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no `terraform` binary on PATH: the locals cannot be evaluated here")
    module = tmp_path / f"{domain}-{dns_zone}"
    module.mkdir()
    (module / "main.tf").write_text(
        'variable "domain" {\n  type = string\n}\n'
        'variable "dns_zone" {\n  type = string\n}\n'
        + _locals_block(TERRAFORM_ROOT / "modules" / "email" / "main.tf")
    )
    result = subprocess.run(
        [terraform, "console", f"-var=domain={domain}", f"-var=dns_zone={dns_zone}"],
        input=f"local.{name}\n",
        cwd=module,
        capture_output=True,
        text=True,
        timeout=60,
        # no version check-in: Terraform sends nothing off this machine
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip())


@pytest.mark.parametrize(
    ("domain", "dns_zone", "expected"),
    [
        ("binome.fr", "binome.fr", "_dmarc"),
        ("mail.binome.fr", "binome.fr", "_dmarc.mail"),
        ("notify.mail.binome.fr", "binome.fr", "_dmarc.notify.mail"),
    ],
)
def test_dmarc_record_name_is_right_at_the_apex_and_on_a_subdomain(
    tmp_path, domain, dns_zone, expected
):
    # given: the email module's own locals, evaluated by Terraform

    # when
    name = _evaluate_email_local(tmp_path, "dmarc_name", domain, dns_zone)

    # then: relative to the zone, so the record is _dmarc.<sending domain> (RFC 7489)
    assert name == expected


def _required_root_variables() -> dict[str, dict]:
    return {
        name: body
        for directory, name, body in variables(real_tree())
        if directory == "environments/production" and "default" not in body
    }


def test_readme_lists_every_secret_an_operator_must_export():
    # given: the sensitive root variables without a default (every plan needs them)
    required_secrets = {
        name for name, body in _required_root_variables().items() if body.get("sensitive") is True
    }
    readme = (TERRAFORM_ROOT / "README.md").read_text(encoding="utf-8")

    # when
    exported = set(re.findall(r"^export TF_VAR_([a-z_]+)=", readme, flags=re.MULTILINE))
    announced = re.search(r"The operator supplies (\w+) secrets", readme)

    # then
    assert exported == required_secrets
    assert "whereby_webhook_secret" in exported
    assert announced is not None
    assert announced.group(1) == {4: "four", 5: "five"}.get(len(required_secrets))


def test_tfvars_example_sets_every_required_plain_variable():
    # given
    required_plain = {
        name
        for name, body in _required_root_variables().items()
        if body.get("sensitive") is not True
    }
    example = TERRAFORM_ROOT / "environments" / "production" / "terraform.tfvars.example"

    # when
    assigned = set(re.findall(r"^([a-z_]+)\s*=", example.read_text(encoding="utf-8"), re.MULTILINE))

    # then
    assert required_plain <= assigned
    assert "organization_id" in required_plain


def test_iam_resources_name_their_organisation():
    # given
    tree = real_tree()

    # when
    organisations = {
        f"{directory}: {rtype}.{name}": body.get("organization_id")
        for directory, rtype, name, body in resources(tree)
        if rtype in {"scaleway_iam_application", "scaleway_iam_policy"}
    }
    provider = next(body for _, name, body in providers(tree) if name == "scaleway")

    # then: every one of them (the email, storage and registry keys)
    assert len(organisations) == 6
    assert set(organisations.values()) == {"${var.organization_id}"}
    assert provider["organization_id"] == "${var.organization_id}"


def test_error_tracking_is_glitchtip_in_the_cluster_with_its_own_database():
    # given
    tree = real_tree()
    glitchtip = module_call("glitchtip")
    (error_tracking,) = [body for _, name, body in variables(tree) if name == "error_tracking"]

    # then production sends error reports to GlitchTip by default, deployed by our Terraform
    assert error_tracking["default"] == "glitchtip"
    assert module_call("app")["config"]["ERROR_TRACKING"] == "${var.error_tracking}"
    assert glitchtip["source"] == "../../modules/glitchtip"
    assert glitchtip["database_instance_id"] == "${module.database.instance_id}"
    # its own database and user on the managed (encrypted, backed-up in region) instance
    assert one("scaleway_rdb_database", "glitchtip")["instance_id"] == "${var.database_instance_id}"
    assert one("scaleway_rdb_user", "glitchtip")["is_admin"] is False
    # internal only: a ClusterIP service, nothing public, no open registration
    service = one("kubernetes_service_v1", "glitchtip")
    assert service["spec"][0]["type"] == "ClusterIP"
    (config,) = [
        body
        for directory, _, _, body in resources(tree, "kubernetes_config_map_v1")
        if directory == "modules/glitchtip"
    ]
    assert config["data"]["ENABLE_OPEN_USER_REGISTRATION"] == "False"
    assert config["data"]["GLITCHTIP_DOMAIN"] == "${local.domain}"
    domain = locals_of(tree, "modules/glitchtip")["domain"]
    assert domain == "http://glitchtip.${var.namespace}.svc.cluster.local:8000"
