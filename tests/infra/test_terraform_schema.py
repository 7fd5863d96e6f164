"""The Terraform tree parses, uses only allow-listed resource types with arguments they know,
and every reference points at something declared (what `terraform validate` would say, without
downloading a provider)."""

import re
import shutil
import subprocess
from functools import cache

import pytest

from tests.infra.hcl_tree import (
    TERRAFORM_ROOT,
    load_tree,
    mutated,
    parse_file,
    resources,
    tf_files,
    tree_from_text,
)
from tests.infra.provider_schema import extracts, resource_schemas, schema_errors
from tests.infra.provider_schema import reference_errors as schema_reference_errors
from tests.infra.references import reference_errors


@cache
def real_tree() -> dict[str, dict]:
    return load_tree()


@pytest.mark.parametrize(
    "path", tf_files(), ids=lambda path: path.relative_to(TERRAFORM_ROOT).as_posix()
)
def test_tf_file_parses(path):
    # given
    text = path.read_text(encoding="utf-8")

    # when
    document = parse_file(path)

    # then
    assert text.strip()
    assert document


def test_tree_has_the_production_root_and_its_modules():
    # given
    expected = {
        "environments/production",
        "modules/app",
        "modules/compute",
        "modules/database",
        "modules/dns",
        "modules/email",
        "modules/glitchtip",
        "modules/loadbalancer",
        "modules/network",
        "modules/observability",
        "modules/redis",
        "modules/secrets",
        "modules/storage",
    }

    # when
    directories = set(real_tree())

    # then
    assert directories == expected


@pytest.mark.parametrize(
    "module", sorted((TERRAFORM_ROOT / "modules").iterdir()), ids=lambda path: path.name
)
def test_module_has_the_four_standard_files(module):
    # given
    expected = {"main.tf", "variables.tf", "outputs.tf", "versions.tf"}

    # when
    files = {path.name for path in module.glob("*.tf")}

    # then
    assert files == expected


# --- the providers' own schemas (provider_schemas/*.json, extracted from their source) ---------


def body_of(tree: dict, resource_type: str, name: str) -> dict:
    return next(body for _, rtype, rname, body in resources(tree, resource_type) if rname == name)


def test_every_resource_argument_and_block_is_in_the_provider_schemas():
    # given
    tree = real_tree()

    # when
    found = schema_errors(tree)

    # then
    assert found == []


def test_every_attribute_reference_exists_in_the_provider_schemas():
    # given
    tree = real_tree()

    # when
    found = schema_reference_errors(tree)

    # then
    assert found == []


def test_schema_check_catches_an_argument_the_provider_removed():
    # given: keep_empty_zone, removed from scaleway_domain_record in provider v2.58.0
    tree = mutated(real_tree())
    body_of(tree, "scaleway_domain_record", "apex")["keep_empty_zone"] = True

    # when
    found = schema_errors(tree)

    # then
    assert found == [
        "modules/dns: scaleway_domain_record.apex: unsupported argument `keep_empty_zone`"
    ]


def test_schema_check_catches_a_wrong_attribute_reference():
    # given: the Redis address as it used to be read (the attribute is `private_ips`)
    tree = mutated(real_tree())
    locals_block = tree["modules/redis"]["locals"][0]
    locals_block["address"] = "${scaleway_redis_cluster.main.private_ip[0].address}"

    # when
    found = schema_reference_errors(tree)

    # then
    assert found == [
        "modules/redis: `scaleway_redis_cluster.main.private_ip[0].address`: "
        "scaleway_redis_cluster has no attribute `private_ip`"
    ]


def test_schema_check_catches_a_wrong_attribute_inside_a_nested_block():
    # given
    tree = mutated(real_tree())
    locals_block = tree["modules/redis"]["locals"][0]
    locals_block["address"] = "${scaleway_redis_cluster.main.private_ips[0].ip_address}"

    # when
    found = schema_reference_errors(tree)

    # then
    assert found == [
        "modules/redis: `scaleway_redis_cluster.main.private_ips[0].ip_address`: "
        "scaleway_redis_cluster has no attribute `ip_address`"
    ]


def test_schema_check_catches_a_misspelt_block():
    # given: `private_network` misspelt on the Redis cluster, `env_from` on a container
    tree = mutated(real_tree())
    redis = body_of(tree, "scaleway_redis_cluster", "main")
    redis["private_netwrok"] = redis.pop("private_network")
    container = body_of(tree, "kubernetes_job_v1", "migrate")["spec"][0]["template"][0]["spec"][0][
        "container"
    ][0]
    container["env_form"] = container.pop("env_from")

    # when
    found = schema_errors(tree)

    # then
    assert found == [
        "modules/app: kubernetes_job_v1.migrate.spec.template.spec.container: "
        "unsupported block type `env_form`",
        "modules/redis: scaleway_redis_cluster.main: unsupported block type `private_netwrok`",
    ]


def test_schema_check_catches_computed_required_and_misplaced_arguments():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_tem_domain" "main" {
          name       = "binome.fr"
          accept_tos = true
          dmarc_name = "_dmarc"
        }

        resource "scaleway_redis_cluster" "main" {
          version         = "7.2.4"
          user_name       = "binome"
          private_network = { id = "x" }
          tls_enabled {
          }
        }

        resource "scaleway_instance_server" "bastion" {
          type = "DEV1-S"
        }
        """
    )

    # when
    found = schema_errors(tree)

    # then
    assert found == [
        "inline: scaleway_tem_domain.main: `dmarc_name` is computed by the provider: "
        "it cannot be set",
        "inline: scaleway_redis_cluster.main: `private_network` is a block, not an argument",
        "inline: scaleway_redis_cluster.main: `tls_enabled` is an argument, not a block",
        "inline: scaleway_redis_cluster.main: missing required argument `node_type`",
        "inline: scaleway_instance_server.bastion: resource type `scaleway_instance_server` "
        "is not in any provider extract",
    ]


def test_schema_check_reads_dynamic_blocks_and_max_items():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_rdb_instance" "main" {
          node_type = "DB-PRO2-XXS"
          engine    = "PostgreSQL-16"

          dynamic "private_network" {
            for_each = [1]
            content {
              pn_id   = "x"
              colour  = "blue"
            }
          }

          logs_policy {
          }

          logs_policy {
          }
        }
        """
    )

    # when
    found = schema_errors(tree)

    # then
    assert found == [
        "inline: scaleway_rdb_instance.main.private_network: unsupported argument `colour`",
        "inline: scaleway_rdb_instance.main: at most 1 `logs_policy` block(s)",
    ]


@pytest.mark.parametrize(
    ("provider", "constraint_source"),
    [
        ("scaleway", "scaleway"),
        ("kubernetes", "kubernetes"),
        ("random", "random"),
    ],
)
def test_each_extract_is_of_the_version_we_pin(provider, constraint_source):
    # given: the version constraints of every versions.tf
    constraints = set()
    for path in TERRAFORM_ROOT.rglob("versions.tf"):
        for block in parse_file(path).get("terraform", []):
            for required in block.get("required_providers", []):
                if constraint_source in required:
                    constraints.add(required[constraint_source]["version"])

    # when
    extract = extracts()[provider]

    # then: `~> X.Y` admits X.Y.z and later minors; the extract is of X.Y.z, at a known commit
    (constraint,) = constraints
    pinned = constraint.removeprefix("~> ")
    assert extract["tag"].removeprefix("v").startswith(f"{pinned}.")
    assert re.fullmatch(r"[0-9a-f]{40}", extract["commit"])
    assert extract["generated_by"] == "infra/tools/extract_provider_schema.py"


def test_extracts_cover_exactly_the_resource_types_of_the_tree():
    # given
    used = {rtype for _, rtype, _, _ in resources(real_tree())}

    # when
    extracted = set(resource_schemas())

    # then: a new resource type means running the extractor again (infra/terraform/README.md)
    assert extracted == used


def test_every_reference_points_at_something_declared():
    # given
    root = TERRAFORM_ROOT

    # when
    found = reference_errors(root)

    # then
    assert found == []


def test_reference_check_catches_undeclared_names_and_module_mismatches(tmp_path):
    # given
    module = tmp_path / "modules" / "thing"
    module.mkdir(parents=True)
    (module / "variables.tf").write_text('variable "name" {\n  type = string\n}\n')
    (module / "outputs.tf").write_text('output "id" {\n  value = var.name\n}\n')
    root = tmp_path / "environments" / "production"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(
        """
module "thing" {
  source = "../../modules/thing"
  colour = "blue"
}

resource "scaleway_vpc" "main" {
  name = "${var.prefix}-${local.suffix}-${module.thing.name}"
  tags = scaleway_vpc_private_network.main.tags
}
"""
    )

    # when
    found = reference_errors(tmp_path)

    # then
    assert found == [
        "environments/production/main.tf: var.prefix is not declared",
        "environments/production/main.tf: local.suffix is not declared",
        "environments/production/main.tf: scaleway_vpc_private_network.main is not declared",
        "environments/production/main.tf: module thing has no output `name`",
        "environments/production: module thing: modules/thing has no variable `colour`",
        "environments/production: module thing: required variable `name` missing",
    ]


def test_terraform_fmt_finds_the_tree_canonical(tmp_path):
    # given
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no `terraform` binary on PATH: `terraform fmt -check` cannot run here")
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("")

    # when
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(TERRAFORM_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "CHECKPOINT_DISABLE": "1",  # no version check-in: nothing leaves this machine
            "PATH": "/usr/bin:/bin",
        },
        check=False,
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
