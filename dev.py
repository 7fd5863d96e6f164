#!/usr/bin/env python3
"""Binôme's two commands, for a machine that has only Python 3.11:

    python3 dev.py run     # install, start PostgreSQL if needed, migrate, demo data, serve :8000
    python3 dev.py test    # install, start PostgreSQL if needed, run the whole test suite
    python3 dev.py totp <email>   # the current two-step verification code of a demo account

Standard library only: it installs uv in .local/tools, syncs .venv from uv.lock, then hands
over to `saas.cli` inside that environment.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".local" / "tools"
VENV = ROOT / ".venv"
UV_VERSION = "0.13.9"


def say(message: str) -> None:
    print(f"[binome] {message}", flush=True)


def ensure_uv() -> Path:
    uv = TOOLS / "bin" / "uv"
    if not uv.exists():
        say("installing uv (once)…")
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        subprocess.run(
            [
                str(TOOLS / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"uv=={UV_VERSION}",
            ],
            check=True,
        )
    return uv


def ensure_environment(*, quiet: bool = False) -> Path:
    uv = ensure_uv()
    if not quiet:
        say("syncing .venv from uv.lock…")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    subprocess.run(
        [str(uv), "sync", "--frozen", "--quiet", "--python", sys.executable],
        check=True,
        cwd=ROOT,
        env=env,
    )
    return VENV / "bin" / "python"


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "totp"}:
        print(__doc__)
        return 2
    # `totp` prints a code and nothing else on stdout (its messages go to stderr).
    python = ensure_environment(quiet=sys.argv[1] == "totp")
    os.chdir(ROOT)
    return subprocess.call([str(python), "-m", "saas.cli", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
