"""numpy and scipy load only where matching runs: a web worker that imports the WSGI application
and every URLconf (so every view and service) has neither in memory (≈ 57 MB and 0.7 s per
worker); they load on the first use of an engine function. Checked in a fresh interpreter, as a
worker starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

_PROBE = """
import importlib, json, sys
from django.conf import settings
from saas.wsgi import application
from django.urls import get_resolver
for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
    get_resolver(urlconf).reverse_dict  # imports every view, hence every service
import tenant_apps.matching.services
import tenant_apps.matching.tasks
def numeric():
    return sorted({name.split(".")[0] for name in sys.modules} & {"numpy", "scipy"})
at_start = numeric()
from tenant_apps.matching import engine
engine.match_cohort  # the first use of a function that needs them
print(json.dumps({"at_start": at_start, "after_matching": numeric()}))
"""


def test_a_web_worker_starts_without_numpy_or_scipy():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "saas.settings.test"}
    output = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    modules = json.loads(output.strip().splitlines()[-1])
    assert modules["at_start"] == []
    # the probe does see them once matching is used
    assert modules["after_matching"] == ["numpy", "scipy"]
