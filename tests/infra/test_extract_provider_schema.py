"""infra/tools/extract_provider_schema.py on a small provider written here, in a git repository
made by the test (the real providers are not on the machines that run the suite): the Go forms
the real providers use are read the way Terraform's SDKs read them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.hcl_tree import REPO_ROOT

SCRIPT = REPO_ROOT / "infra" / "tools" / "extract_provider_schema.py"

GO_MOD = "module github.com/example/terraform-provider-scaleway/v2\n\ngo 1.24\n"

PROVIDER = """package provider

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/example/terraform-provider-scaleway/v2/internal/services/thing"
)

func Provider() *schema.Provider {
	return &schema.Provider{
		ResourcesMap: map[string]*schema.Resource{
			"scaleway_thing": thing.ResourceThing(),
		},
		DataSourcesMap: map[string]*schema.Resource{
			"scaleway_thing": thing.DataSourceThing(),
		},
	}
}
"""

LOCALITY = """package regional

import "github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"

// Schema of the region argument.
func Schema() *schema.Schema {
	return &schema.Schema{
		Type:     schema.TypeString,
		Optional: true,
		Computed: true,
	}
}
"""

THING = """package thing

import (
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/example/terraform-provider-scaleway/v2/internal/locality/regional"
)

func ResourceThing() *schema.Resource {
	return &schema.Resource{
		Timeouts: &schema.ResourceTimeout{
			Create:  schema.DefaultTimeout(5 * time.Minute),
			Default: schema.DefaultTimeout(5 * time.Minute),
		},
		SchemaFunc: thingSchema,
	}
}

func thingSchema() map[string]*schema.Schema {
	s := map[string]*schema.Schema{
		"name": {
			Type:     schema.TypeString,
			Required: true, // a comment, "with: a colon"
		},
		"endpoint": {
			Type:     schema.TypeString,
			Computed: true,
		},
		"private_ips": {
			Type:     schema.TypeList,
			Optional: true,
			Computed: true,
			Elem: &schema.Resource{
				Schema: map[string]*schema.Schema{
					"address": {Type: schema.TypeString, Computed: true},
				},
			},
		},
		"nodes": {
			Type:     schema.TypeList,
			Computed: true,
			Elem:     nodeResource(),
		},
		"tags": {
			Type:     schema.TypeList,
			Optional: true,
			Elem:     &schema.Schema{Type: schema.TypeString},
		},
		"settings": {
			Type:       schema.TypeList,
			Optional:   true,
			ConfigMode: schema.SchemaConfigModeAttr,
			Elem:       nodeResource(),
		},
		"region": regional.Schema(),
		"old":    {Type: schema.TypeBool, Optional: true},
	}
	s["rule"] = ruleSchema(true)
	maps.Copy(s, extraFields())
	delete(s, "old")
	return s
}

func nodeResource() *schema.Resource {
	return &schema.Resource{Schema: map[string]*schema.Schema{
		"id": {Type: schema.TypeString, Computed: true},
	}}
}

func ruleSchema(isComputed bool) *schema.Schema {
	fields := map[string]*schema.Schema{
		"action": {Type: schema.TypeString, Optional: true, Computed: isComputed},
	}
	if isComputed {
		fields["priority"] = &schema.Schema{Type: schema.TypeInt, Optional: true}
	}
	return &schema.Schema{
		Type:     schema.TypeSet,
		Required: true,
		MaxItems: 2,
		Elem:     &schema.Resource{Schema: fields},
	}
}

func extraFields() map[string]*schema.Schema {
	return map[string]*schema.Schema{
		"description": {Type: schema.TypeString, Optional: true, Deprecated: "use name"},
	}
}
"""


def _git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(repository),
        },
    ).stdout


@pytest.fixture
def provider_repository(tmp_path) -> Path:
    repository = tmp_path / "provider"
    files = {
        "go.mod": GO_MOD,
        "provider/sdkv2.go": PROVIDER,
        "internal/locality/regional/schemas.go": LOCALITY,
        "internal/services/thing/thing.go": THING,
        "internal/services/thing/thing_test.go": "package thing\n\nfunc broken( {\n",
    }
    for path, text in files.items():
        target = repository / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    _git(repository, "init", "--quiet")
    _git(repository, "add", ".")
    _git(repository, "commit", "--quiet", "-m", "provider")
    _git(repository, "tag", "v2.81.0")
    # a later commit that must not be read
    (repository / "internal/services/thing/thing.go").write_text(
        THING.replace('"endpoint"', '"later_only"')
    )
    _git(repository, "commit", "--quiet", "-am", "later")
    return repository / ".git"


def run_extractor(git_dir: Path, out: Path, *types: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "scaleway",
            "--git-dir",
            str(git_dir),
            "--rev",
            "v2.81.0",
            "--out",
            str(out),
            "--types",
            *types,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_extractor_reads_the_tagged_source_as_the_sdk_does(provider_repository, tmp_path):
    # given
    out = tmp_path / "scaleway.json"

    # when
    result = run_extractor(provider_repository, out, "scaleway_thing")

    # then
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["tag"] == "v2.81.0"
    assert document["commit"] == _git(provider_repository.parent, "rev-parse", "v2.81.0").strip()
    assert document["resources"] == {
        "scaleway_thing": {
            "attributes": {
                "description": "optional",
                "endpoint": "computed",
                "id": "computed",
                "name": "required",
                "nodes": "computed",
                "region": "optional,computed",
                "settings": "optional",
                "tags": "optional",
            },
            "objects": {
                "nodes": {"attributes": {"id": "computed"}, "blocks": {}},
                "settings": {"attributes": {"id": "computed"}, "blocks": {}},
            },
            "blocks": {
                "private_ips": {
                    "nesting": "list",
                    "attributes": {"address": "computed"},
                    "blocks": {},
                },
                "rule": {
                    "nesting": "set",
                    "max_items": 2,
                    "required": True,
                    "attributes": {"action": "optional,computed", "priority": "optional"},
                    "blocks": {},
                },
                "timeouts": {
                    "nesting": "single",
                    "attributes": {"create": "optional", "default": "optional"},
                    "blocks": {},
                },
            },
        }
    }


def test_extractor_refuses_a_type_the_provider_does_not_have(provider_repository, tmp_path):
    # given
    out = tmp_path / "scaleway.json"

    # when
    result = run_extractor(provider_repository, out, "scaleway_thing", "scaleway_gadget")

    # then: nothing written, the reason said
    assert result.returncode == 1
    assert result.stderr == (
        "extract_provider_schema: scaleway_gadget: not a resource of this provider at v2.81.0\n"
    )
    assert not out.exists()
