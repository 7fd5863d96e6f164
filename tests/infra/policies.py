"""Policies on the Terraform tree, written as plain functions (what checkov custom policies
would express; checkov ships no Scaleway checks and is not installed here).

Each `violations_*` function takes a tree (see hcl_tree) and returns a list of human-readable
violations: empty means compliant. The tests run each one on the real tree and on a variant
broken on purpose, where it must report the break.
"""

import json
import re

from tests.infra.hcl_tree import (
    attributes,
    backends,
    blocks,
    dynamic_labels,
    expression,
    is_block,
    locals_of,
    module_calls,
    providers,
    resources,
    string_list_in,
    variables,
    walk,
)

# The client's FAQ promises datacentres in France: Paris only (Amsterdam and Warsaw are EU, but
# not France).
EU_REGIONS = frozenset({"fr-par"})
EU_ZONES = frozenset(f"{region}-{n}" for region in EU_REGIONS for n in (1, 2, 3))

# Environment variables of the application that hold a secret.
SECRET_ENV_NAMES = frozenset(
    {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "SCALEWAY_TEM_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "WHEREBY_API_KEY",
        "WHEREBY_WEBHOOK_SECRET",
        "SENTRY_DSN",
    }
)
# Module arguments that are meant to carry secrets (their variables must be sensitive).
SECRET_SINKS = frozenset({"secret_env", "secret_environment_variables", "values"})
# Variable names that hold a secret whatever the module.
_SECRET_VARIABLE = re.compile(r"(password|secret|api_key|token|dsn|certificate_chain|private_key)")


def _label(directory: str, rtype: str, name: str) -> str:
    return f"{directory}: {rtype}.{name}"


def _is_true(value: object) -> bool:
    return value is True or value == "true"


# --- managed PostgreSQL ----------------------------------------------------------------------


def violations_database(tree: dict[str, dict]) -> list[str]:
    found = []
    for directory, rtype, name, body in resources(tree, "scaleway_rdb_instance"):
        where = _label(directory, rtype, name)
        if not _is_true(body.get("is_ha_cluster")):
            found.append(f"{where}: is_ha_cluster must be true")
        if not _is_true(body.get("encryption_at_rest")):
            found.append(f"{where}: encryption_at_rest must be true")
        if _is_true(body.get("disable_backup")):
            found.append(f"{where}: automated backups are disabled")
        if not _is_true(body.get("backup_same_region")):
            found.append(
                f"{where}: backup_same_region must be true (by default backups leave the region)"
            )
        if "backup_schedule_retention" not in body:
            found.append(f"{where}: backup_schedule_retention must be set")
        if not blocks(body, "private_network"):
            found.append(f"{where}: no private network endpoint")
        if "load_balancer" in body or "load_balancer" in dynamic_labels(body):
            found.append(f"{where}: public endpoint (load_balancer block)")
    for directory, rtype, name, body in resources(tree, "scaleway_rdb_read_replica"):
        where = _label(directory, rtype, name)
        if "direct_access" in body or "direct_access" in dynamic_labels(body):
            found.append(f"{where}: public endpoint (direct_access block)")
        if not blocks(body, "private_network"):
            found.append(f"{where}: no private network endpoint")
    for directory, rtype, name, _body in resources(tree, "scaleway_rdb_acl"):
        found.append(f"{_label(directory, rtype, name)}: ACL rules open a public endpoint")
    return found


# --- managed Redis ---------------------------------------------------------------------------


def violations_redis(tree: dict[str, dict]) -> list[str]:
    found = []
    for directory, rtype, name, body in resources(tree, "scaleway_redis_cluster"):
        where = _label(directory, rtype, name)
        if not _is_true(body.get("tls_enabled")):
            found.append(f"{where}: tls_enabled must be true")
        if not blocks(body, "private_network"):
            found.append(f"{where}: no private network endpoint")
        if "acl" in body or "acl" in dynamic_labels(body):
            found.append(f"{where}: acl rules mean a public endpoint")
    return found


# --- Object Storage --------------------------------------------------------------------------

_PUBLIC_PRINCIPAL = re.compile(r'(Principal|AWS|SCW)"?\s*[:=]\s*"\*"')


def violations_bucket(tree: dict[str, dict]) -> list[str]:
    found = []
    for directory, rtype, name, body in resources(tree, "scaleway_object_bucket"):
        where = _label(directory, rtype, name)
        acl = body.get("acl")
        if acl is not None and acl != "private":
            found.append(f"{where}: acl {acl!r} is not private")
        versioning = blocks(body, "versioning")
        if not versioning or not _is_true(versioning[0].get("enabled")):
            found.append(f"{where}: versioning must be enabled")
    for directory, rtype, name, body in resources(tree, "scaleway_object_bucket_acl"):
        where = _label(directory, rtype, name)
        if body.get("acl", "private") != "private":
            found.append(f"{where}: acl {body.get('acl')!r} is not private")
        if any(key == "uri" and "AllUsers" in str(value) for key, value in walk(body)):
            found.append(f"{where}: grants access to AllUsers")
    for directory, rtype, name, body in resources(tree, "scaleway_object_bucket_policy"):
        policy = body.get("policy", "")
        text = policy if isinstance(policy, str) else json.dumps(policy)
        if _PUBLIC_PRINCIPAL.search(text):
            found.append(f"{_label(directory, rtype, name)}: policy grants access to everyone")
    return found


# --- regions ---------------------------------------------------------------------------------


_NOT_LOCATIONS = frozenset({"dns_zone", "same_zone", "backup_same_region"})


def _is_region_name(name: str) -> bool:
    return name not in _NOT_LOCATIONS and (name == "region" or name.endswith("_region"))


def _is_zone_name(name: str) -> bool:
    return name not in _NOT_LOCATIONS and (name == "zone" or name.endswith("_zone"))


def _check_location(where: str, key: str, value: object, allowed: frozenset) -> list[str]:
    """A region or zone argument: a reference to a variable, or an EU literal."""
    text = expression(value)
    if text is None:
        return (
            [] if value in allowed else [f"{where}: {key} = {value!r} is outside France (fr-par)"]
        )
    if not re.fullmatch(r"var\.[a-z0-9_]+|[a-z0-9_.\[\]]+\.(region|zone)", text):
        return [f"{where}: {key} must come from a variable, not `{text}`"]
    return []


def violations_region(tree: dict[str, dict]) -> list[str]:
    found = []
    for directory, name, body in variables(tree):
        where = f"{directory}: variable {name}"
        if _is_region_name(name):
            allowed, kind = EU_REGIONS, "region"
        elif _is_zone_name(name):
            allowed, kind = EU_ZONES, "zone"
        else:
            continue
        if body.get("default") not in allowed:
            found.append(f"{where}: default {body.get('default')!r} is outside France (fr-par)")
        listed = [
            value
            for validation in blocks(body, "validation")
            for value in string_list_in(expression(validation.get("condition")) or "")
        ]
        if not listed:
            found.append(f"{where}: no validation restricting it to fr-par {kind}s")
        outside = sorted(set(listed) - allowed)
        if outside:
            found.append(f"{where}: validation allows {kind}s outside France {outside}")
    located = [
        (f"{directory}: {rtype}.{name}", body)
        for kind in ("resource", "data")
        for directory, rtype, name, body in resources(tree, kind=kind)
    ]
    located += [
        (f"{directory}: module {name}", body) for directory, name, body in module_calls(tree)
    ]
    located += [
        (f"{directory}: provider {name}", body) for directory, name, body in providers(tree)
    ]
    for where, body in located:
        for key, value in body.items():
            if _is_region_name(key):
                found += _check_location(where, key, value, EU_REGIONS)
            elif _is_zone_name(key):
                found += _check_location(where, key, value, EU_ZONES)
    for directory, name, body in backends(tree):
        where = f"{directory}: backend {name}"
        if body.get("region") not in EU_REGIONS:
            found.append(f"{where}: state region {body.get('region')!r} is not fr-par")
        endpoint = str(body.get("endpoints", {}).get("s3", ""))
        if not re.fullmatch(r"https://s3\.fr-par\.scw\.cloud", endpoint):
            found.append(f"{where}: state endpoint {endpoint!r} is not Scaleway fr-par")
    return found


# --- secrets ---------------------------------------------------------------------------------


def _secret_names_in(mapping: object) -> set[str]:
    return set(mapping) & SECRET_ENV_NAMES if isinstance(mapping, dict) else set()


def _plain_env_entries(body: dict) -> set[str]:
    """Secret names given as a plain `env { name, value }` anywhere in a (Kubernetes) body."""
    names = set()
    for key, value in walk(body):
        if key == "env" and isinstance(value, list):
            for entry in value:
                if is_block(entry) and "value" in entry and entry.get("name") in SECRET_ENV_NAMES:
                    names.add(entry["name"])
    return names


_SECRET_ARGUMENTS = frozenset({"password", "password_wo", "secret_key", "certificate_chain"})
_SECRET_DATA_RESOURCES = frozenset({"scaleway_secret_version", "kubernetes_secret_v1"})


def _has_literal_string(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_literal_string(item) for item in value.values())
    return isinstance(value, str) and bool(value) and expression(value) is None


def violations_secrets(tree: dict[str, dict]) -> list[str]:
    found = []
    for directory, name, body in module_calls(tree):
        for argument, value in attributes(body).items():
            leaked = _secret_names_in(value)
            if leaked and argument not in SECRET_SINKS:
                found.append(
                    f"{directory}: module {name} passes {sorted(leaked)} in plain `{argument}`"
                )
    for directory, rtype, name, body in resources(tree):
        where = _label(directory, rtype, name)
        leaked = _secret_names_in(body.get("environment_variables"))
        if rtype == "kubernetes_config_map_v1":
            data = body.get("data")
            local_name = re.fullmatch(r"local\.([a-z0-9_]+)", expression(data) or "")
            if local_name:
                data = locals_of(tree, directory).get(local_name.group(1))
            leaked |= _secret_names_in(data)
        leaked |= _plain_env_entries(body)
        if leaked:
            found.append(f"{where}: secrets {sorted(leaked)} in plain environment variables")
        for key, value in walk(body):
            secret_valued = key in _SECRET_ARGUMENTS or (
                key == "data" and rtype in _SECRET_DATA_RESOURCES
            )
            if secret_valued and _has_literal_string(value):
                found.append(f"{where}: {key} is written in the code")
    for directory, name, body in variables(tree):
        secret_like = _SECRET_VARIABLE.search(name) or name in SECRET_SINKS
        if secret_like and not _is_true(body.get("sensitive")):
            found.append(f"{directory}: variable {name} holds a secret and is not sensitive")
    return found


# The provider stores `scaleway_secret_version.data` base64-encoded in the state (a StateFunc):
# reading it back gives `cG9zdGdyZXM6Ly8...`, never the value written. Nothing may read it.
_SECRET_VERSION_DATA = re.compile(r"\bscaleway_secret_version\.[a-z0-9_]+(\[[^\]]*\])?\.data\b")
_SECRET_VERSION_LOOP = re.compile(
    r"\bfor\s+(?:[a-z0-9_]+\s*,\s*)?([a-z0-9_]+)\s+in\s+scaleway_secret_version\.[a-z0-9_]+"
    r"\s*:(.*)",
    re.DOTALL,
)


def _reads_secret_version_data(text: str) -> bool:
    if _SECRET_VERSION_DATA.search(text):
        return True
    loop = _SECRET_VERSION_LOOP.search(text)
    return bool(loop and re.search(rf"\b{loop.group(1)}\.data\b", loop.group(2)))


def violations_secret_state_reads(tree: dict[str, dict]) -> list[str]:
    """Every expression that reads `scaleway_secret_version.*.data` back (base64 in state)."""
    found = []
    for directory, document in sorted(tree.items()):
        for key, value in walk(document):
            text = expression(value) if isinstance(value, str) else None
            if text and _reads_secret_version_data(text):
                found.append(
                    f"{directory}: `{key}` reads scaleway_secret_version data back from the "
                    "state, where it is base64-encoded"
                )
    return found
