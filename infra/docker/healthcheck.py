"""Container health check of the web process (Dockerfile HEALTHCHECK, docker-compose).

Slim images have no curl: this asks gunicorn for /healthz with the standard library. The Host
header is the base domain, because Django refuses hosts outside ALLOWED_HOSTS.
Exit status 0 = healthy, 1 = unhealthy.
"""

import os
import sys
import urllib.error
import urllib.request

HEALTH_URL = "http://127.0.0.1:8000/healthz"


def health_request(url: str = HEALTH_URL) -> urllib.request.Request:
    host = os.environ.get("BASE_DOMAIN", "localhost")
    return urllib.request.Request(url, headers={"Host": host})  # noqa: S310 (fixed http URL)


def main(url: str = HEALTH_URL) -> int:
    try:
        with urllib.request.urlopen(health_request(url), timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
