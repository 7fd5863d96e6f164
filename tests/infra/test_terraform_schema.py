"""The Terraform tree parses, uses only allow-listed resource types with arguments they know,
and every reference points at something declared (what `terraform validate` would say, without
downloading a provider)."""

import shutil
import subprocess
from functools import cache

import pytest

from tests.infra import scaleway_schema
from tests.infra.hcl_tree import TERRAFORM_ROOT, load_tree, parse_file, tf_files, tree_from_text
from tests.infra.policies import unknown_arguments
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


def test_every_resource_type_and_argument_is_known():
    # given
    tree = real_tree()

    # when
    found = unknown_arguments(tree)

    # then
    assert found == []


def test_argument_check_catches_an_invented_argument():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_rdb_instance" "main" {
          node_type        = "DB-PRO2-XXS"
          engine           = "PostgreSQL-16"
          backup_in_region = true
          private_network {
            pn_id       = var.private_network_id
            enable_ipam = true
            public      = false
          }
        }
        """
    )

    # when
    found = unknown_arguments(tree)

    # then
    assert found == [
        "inline: scaleway_rdb_instance.main: unknown argument `backup_in_region`",
        "inline: scaleway_rdb_instance.main.private_network: unknown argument `public`",
    ]


def test_argument_check_catches_an_unlisted_type_and_a_block_written_as_an_attribute():
    # given
    tree = tree_from_text(
        """
        resource "scaleway_instance_server" "bastion" {
          type = "DEV1-S"
        }

        resource "scaleway_redis_cluster" "main" {
          version         = "7.2.4"
          node_type       = "RED1-S"
          private_network = { id = var.private_network_id }
        }
        """
    )

    # when
    found = unknown_arguments(tree)

    # then
    assert found == [
        "inline: scaleway_instance_server.bastion: resource type `scaleway_instance_server` "
        "is not in the allow-list",
        "inline: scaleway_redis_cluster.main: unknown block used as an argument `private_network`",
    ]


def test_allow_list_records_where_each_type_was_checked():
    # given
    entries = scaleway_schema.RESOURCES

    # when
    missing = [rtype for rtype, spec in entries.items() if not spec.get("source")]

    # then
    assert missing == []
    assert {"arguments", "blocks"} <= set(entries["scaleway_rdb_instance"])


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
        env={"TF_CLI_CONFIG_FILE": str(cli_config), "PATH": "/usr/bin:/bin"},
        check=False,
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
