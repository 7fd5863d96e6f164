"""Security and residency policies on the Terraform tree: compliant as written, and each one
shown to catch the break it exists for."""

import json
import shutil
import subprocess
from functools import cache

import pytest

from tests.infra.hcl_tree import (
    TERRAFORM_ROOT,
    load_tree,
    module_calls,
    mutated,
    resources,
    tree_from_text,
    variables,
)
from tests.infra.policies import (
    violations_bucket,
    violations_database,
    violations_redis,
    violations_region,
    violations_secret_state_reads,
    violations_secrets,
)


@cache
def real_tree() -> dict[str, dict]:
    return load_tree()


def body_of(tree: dict, resource_type: str, name: str = "main") -> dict:
    return next(body for _, rtype, rname, body in resources(tree, resource_type) if rname == name)


def module_body(tree: dict, name: str) -> dict:
    return next(body for _, call, body in module_calls(tree) if call == name)


def variable_body(tree: dict, directory: str, name: str) -> dict:
    entries = tree[directory]["variable"]
    return next(entry[name] for entry in entries if name in entry)


# --- database --------------------------------------------------------------------------------


def test_database_is_ha_encrypted_backed_up_in_region_and_private():
    # given
    tree = real_tree()

    # when
    found = violations_database(tree)

    # then
    assert found == []
    assert len(list(resources(tree, "scaleway_rdb_instance"))) == 1


def test_database_policy_catches_a_single_node_instance():
    # given
    tree = mutated(real_tree())
    body_of(tree, "scaleway_rdb_instance")["is_ha_cluster"] = False

    # when
    found = violations_database(tree)

    # then
    assert found == ["modules/database: scaleway_rdb_instance.main: is_ha_cluster must be true"]


def test_database_policy_catches_backups_sent_to_another_region():
    # given
    tree = mutated(real_tree())
    body_of(tree, "scaleway_rdb_instance")["backup_same_region"] = False

    # when
    found = violations_database(tree)

    # then
    assert found == [
        "modules/database: scaleway_rdb_instance.main: backup_same_region must be true "
        "(by default backups leave the region)"
    ]


def test_database_policy_catches_unencrypted_storage_and_missing_retention():
    # given
    tree = mutated(real_tree())
    body = body_of(tree, "scaleway_rdb_instance")
    body["encryption_at_rest"] = False
    del body["backup_schedule_retention"]

    # when
    found = violations_database(tree)

    # then
    assert found == [
        "modules/database: scaleway_rdb_instance.main: encryption_at_rest must be true",
        "modules/database: scaleway_rdb_instance.main: backup_schedule_retention must be set",
    ]


def test_database_policy_catches_a_public_endpoint():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_rdb_instance" "main" {
          node_type                 = "DB-PRO2-XXS"
          engine                    = "PostgreSQL-16"
          is_ha_cluster             = true
          encryption_at_rest        = true
          backup_same_region        = true
          backup_schedule_retention = 14
          load_balancer {}
        }

        resource "scaleway_rdb_read_replica" "main" {
          instance_id = scaleway_rdb_instance.main.id
          direct_access {}
        }
        """
    )

    # when
    found = violations_database(tree)

    # then
    assert found == [
        "inline: scaleway_rdb_instance.main: no private network endpoint",
        "inline: scaleway_rdb_instance.main: public endpoint (load_balancer block)",
        "inline: scaleway_rdb_read_replica.main: public endpoint (direct_access block)",
        "inline: scaleway_rdb_read_replica.main: no private network endpoint",
    ]


# --- redis -----------------------------------------------------------------------------------


def test_redis_uses_tls_on_the_private_network():
    # given
    tree = real_tree()

    # when
    found = violations_redis(tree)

    # then
    assert found == []
    assert len(list(resources(tree, "scaleway_redis_cluster"))) == 1


def test_redis_policy_catches_tls_disabled():
    # given
    tree = mutated(real_tree())
    body_of(tree, "scaleway_redis_cluster")["tls_enabled"] = False

    # when
    found = violations_redis(tree)

    # then
    assert found == ["modules/redis: scaleway_redis_cluster.main: tls_enabled must be true"]


def test_redis_policy_catches_a_public_endpoint():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_redis_cluster" "main" {
          version     = "7.2.4"
          node_type   = "RED1-S"
          user_name   = "binome"
          password    = var.password
          tls_enabled = true
          acl {
            ip = "0.0.0.0/0"
          }
        }
        """
    )

    # when
    found = violations_redis(tree)

    # then
    assert found == [
        "inline: scaleway_redis_cluster.main: no private network endpoint",
        "inline: scaleway_redis_cluster.main: acl rules mean a public endpoint",
    ]


# --- bucket ----------------------------------------------------------------------------------


def test_bucket_is_private_and_versioned():
    # given
    tree = real_tree()

    # when
    found = violations_bucket(tree)

    # then
    assert found == []
    assert body_of(tree, "scaleway_object_bucket_acl")["acl"] == "private"


def test_bucket_policy_catches_a_public_read_acl():
    # given
    tree = mutated(real_tree())
    body_of(tree, "scaleway_object_bucket_acl")["acl"] = "public-read"

    # when
    found = violations_bucket(tree)

    # then
    assert found == [
        "modules/storage: scaleway_object_bucket_acl.main: acl 'public-read' is not private"
    ]


def test_bucket_policy_catches_a_deprecated_inline_public_acl_and_no_versioning():
    # given
    tree = mutated(real_tree())
    bucket = body_of(tree, "scaleway_object_bucket")
    bucket["acl"] = "public-read"
    bucket["versioning"][0]["enabled"] = False

    # when
    found = violations_bucket(tree)

    # then
    assert found == [
        "modules/storage: scaleway_object_bucket.main: acl 'public-read' is not private",
        "modules/storage: scaleway_object_bucket.main: versioning must be enabled",
    ]


def test_bucket_policy_catches_a_policy_open_to_everyone():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_object_bucket_policy" "open" {
          bucket = scaleway_object_bucket.main.id
          policy = jsonencode({
            Version = "2023-04-17"
            Statement = [{
              Effect    = "Allow"
              Principal = "*"
              Action    = ["s3:GetObject"]
              Resource  = ["media/*"]
            }]
          })
        }
        """
    )

    # when
    found = violations_bucket(tree)

    # then
    assert found == ["inline: scaleway_object_bucket_policy.open: policy grants access to everyone"]


# --- regions ---------------------------------------------------------------------------------


def test_everything_is_in_an_eu_region_given_by_a_variable():
    # given
    tree = real_tree()

    # when
    found = violations_region(tree)

    # then
    assert found == []


def test_region_policy_catches_a_hard_coded_non_eu_region():
    # given
    tree = mutated(real_tree())
    body_of(tree, "scaleway_object_bucket")["region"] = "us-east-1"

    # when
    found = violations_region(tree)

    # then
    assert found == [
        "modules/storage: scaleway_object_bucket.main: region = 'us-east-1' "
        "is outside France (fr-par)"
    ]


def test_region_policy_catches_a_non_eu_default_and_a_loose_validation():
    # given
    tree = mutated(real_tree())
    region = variable_body(tree, "environments/production", "region")
    region["default"] = "us-east-1"
    region["validation"][0]["condition"] = '${contains(["fr-par", "us-east-1"], var.region)}'

    # when
    found = violations_region(tree)

    # then
    assert found == [
        "environments/production: variable region: default 'us-east-1' is outside France (fr-par)",
        "environments/production: variable region: validation allows regions outside France "
        "['us-east-1']",
    ]


def test_region_policy_refuses_amsterdam_and_warsaw_even_though_they_are_eu():
    # given: the FAQ promises datacentres in France
    tree = mutated(real_tree())
    region = variable_body(tree, "environments/production", "region")
    region["validation"][0]["condition"] = '${contains(["fr-par", "nl-ams", "pl-waw"], var.region)}'
    zone = variable_body(tree, "modules/redis", "zone")
    zone["validation"][0]["condition"] = '${contains(["fr-par-1", "nl-ams-1"], var.zone)}'
    body_of(tree, "scaleway_object_bucket")["region"] = "nl-ams"

    # when
    found = violations_region(tree)

    # then
    assert found == [
        "environments/production: variable region: validation allows regions outside France "
        "['nl-ams', 'pl-waw']",
        "modules/redis: variable zone: validation allows zones outside France ['nl-ams-1']",
        "modules/storage: scaleway_object_bucket.main: region = 'nl-ams' "
        "is outside France (fr-par)",
    ]


def test_region_policy_catches_a_zone_variable_without_validation():
    # given
    tree = mutated(real_tree())
    del variable_body(tree, "modules/redis", "zone")["validation"]

    # when
    found = violations_region(tree)

    # then
    assert found == ["modules/redis: variable zone: no validation restricting it to fr-par zones"]


def test_region_policy_catches_state_stored_outside_the_eu():
    # given
    tree = tree_from_text(
        """
        terraform {
          backend "s3" {
            bucket    = "state"
            key       = "x.tfstate"
            region    = "us-east-1"
            endpoints = { s3 = "https://s3.us-east-1.amazonaws.com" }
          }
        }
        """
    )

    # when
    found = violations_region(tree)

    # then
    assert found == [
        "inline: backend s3: state region 'us-east-1' is not fr-par",
        "inline: backend s3: state endpoint 'https://s3.us-east-1.amazonaws.com' "
        "is not Scaleway fr-par",
    ]


# --- secrets ---------------------------------------------------------------------------------


def test_pods_get_the_secret_values_not_their_base64_state():
    # given
    tree = real_tree()

    # when
    found = violations_secret_state_reads(tree)

    # then
    assert found == []
    env = next(entry["env"] for entry in tree["modules/secrets"]["output"] if "env" in entry)
    assert env["value"] == "${{for name in local.secret_names : name => local.values[name]}}"


def test_secret_state_policy_catches_the_secret_built_from_secret_versions():
    # given: what module "secrets" used to output, and a direct read
    tree = mutated(real_tree())
    env = next(entry["env"] for entry in tree["modules/secrets"]["output"] if "env" in entry)
    env["value"] = "${{for name, version in scaleway_secret_version.app : name => version.data}}"
    secret = body_of(tree, "kubernetes_secret_v1", "env")
    secret["data"] = {"DATABASE_URL": '${scaleway_secret_version.app["DATABASE_URL"].data}'}

    # when
    found = violations_secret_state_reads(tree)

    # then
    assert found == [
        "modules/app: `DATABASE_URL` reads scaleway_secret_version data back from the state, "
        "where it is base64-encoded",
        "modules/secrets: `value` reads scaleway_secret_version data back from the state, "
        "where it is base64-encoded",
    ]


def test_secrets_never_travel_in_plain_environment_variables():
    # given
    tree = real_tree()

    # when
    found = violations_secrets(tree)

    # then
    assert found == []


def test_secrets_policy_catches_a_secret_in_the_plain_config():
    # given
    tree = mutated(real_tree())
    module_body(tree, "app")["config"]["SENTRY_DSN"] = "${var.sentry_dsn}"

    # when
    found = violations_secrets(tree)

    # then
    assert found == ["environments/production: module app passes ['SENTRY_DSN'] in plain `config`"]


def test_secrets_policy_catches_plain_env_on_containers_and_literals():
    # given
    tree = tree_from_text(
        """
        variable "whereby_api_key" {
          type = string
        }

        resource "scaleway_container" "web" {
          environment_variables = {
            DJANGO_SECRET_KEY = "not-so-secret"
          }
        }

        resource "kubernetes_deployment_v1" "web" {
          spec {
            template {
              spec {
                container {
                  env {
                    name  = "DATABASE_URL"
                    value = "postgres://binome:binome@db/binome"
                  }
                }
              }
            }
          }
        }

        resource "scaleway_rdb_user" "app" {
          password = "hunter2hunter2"
        }
        """
    )

    # when
    found = violations_secrets(tree)

    # then
    assert found == [
        "inline: scaleway_container.web: "
        "secrets ['DJANGO_SECRET_KEY'] in plain environment variables",
        "inline: kubernetes_deployment_v1.web: "
        "secrets ['DATABASE_URL'] in plain environment variables",
        "inline: scaleway_rdb_user.app: password is written in the code",
        "inline: variable whereby_api_key holds a secret and is not sensitive",
    ]


# --- residency, as Terraform itself evaluates the validations ------------------------------------

_DUMMY: dict[str | None, object] = {"${list(string)}": [], "${map(string)}": {}}
_UUID = "00000000-0000-0000-0000-000000000000"


def _directories_with_locations() -> list[str]:
    return sorted(
        {directory for directory, name, _ in variables(real_tree()) if name in {"region", "zone"}}
    )


def _console_errors(tmp_path, directory: str, values: dict[str, str]) -> str:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no `terraform` binary on PATH: variable validations cannot be evaluated")
    module = tmp_path / directory.replace("/", "-")
    module.mkdir()
    shutil.copy(TERRAFORM_ROOT / directory / "variables.tf", module / "variables.tf")
    required = {
        name: _DUMMY.get(body.get("type"), _UUID)
        for found_in, name, body in variables(real_tree())
        if found_in == directory and "default" not in body
    }
    (module / "terraform.tfvars.json").write_text(json.dumps({**required, **values}))
    result = subprocess.run(
        [terraform, "console", "-input=false", "-no-color"],
        input="1\n",
        cwd=module,
        capture_output=True,
        text=True,
        timeout=60,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return result.stderr


def _location_variables() -> list[tuple[str, str, str]]:
    outside = {"region": "nl-ams", "zone": "pl-waw-1"}
    return [
        (directory, name, value)
        for directory, name, _ in variables(real_tree())
        for key, value in outside.items()
        if name == key
    ]


@pytest.mark.parametrize(
    ("directory", "name", "value"),
    _location_variables(),
    ids=lambda item: item if isinstance(item, str) else None,
)
def test_terraform_refuses_amsterdam_and_warsaw(tmp_path, directory, name, value):
    # given: an EU location that is not in France, the other location in Paris
    declared = {found for found_in, found, _ in variables(real_tree()) if found_in == directory}
    paris = {
        key: good for key, good in (("region", "fr-par"), ("zone", "fr-par-1")) if key in declared
    }

    # when
    errors = _console_errors(tmp_path, directory, {**paris, name: value})

    # then: refused by its own validation
    assert "Invalid value for variable" in errors
    assert f'var.{name} is "{value}"' in errors


@pytest.mark.parametrize("directory", _directories_with_locations())
def test_terraform_accepts_paris(tmp_path, directory):
    # given
    declared = {name for found_in, name, _ in variables(real_tree()) if found_in == directory}
    values = {
        key: value for key, value in (("region", "fr-par"), ("zone", "fr-par-2")) if key in declared
    }

    # when
    errors = _console_errors(tmp_path, directory, values)

    # then
    assert "Invalid value for variable" not in errors, errors
