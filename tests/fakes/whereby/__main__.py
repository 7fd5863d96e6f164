"""`python -m tests.fakes.whereby --host 0.0.0.0 --port 8090`: the fake Whereby for the local
stack. Configuration from the command line or the environment:

- `WHEREBY_API_KEY`: the bearer key it accepts (default `local-fake-key`);
- `WHEREBY_WEBHOOK_SECRET`: the key webhooks are signed with (no webhooks without it);
- `WHEREBY_FAKE_WEBHOOK_URL`: where webhooks go (e.g. http://web:8000/webhooks/whereby);
- `WHEREBY_FAKE_WEBHOOK_HOST`: the Host header they carry (the platform's public domain);
- `WHEREBY_FAKE_ROOM_HOST`: the domain of room URLs (default `whereby.localhost`, which browsers
  resolve to this machine).
"""

import argparse
import contextlib
import os
import signal
import sys

from tests.fakes.whereby.server import FakeWhereby


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.whereby")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--api-key", default=os.environ.get("WHEREBY_API_KEY") or "local-fake-key")
    parser.add_argument("--webhook-secret", default=os.environ.get("WHEREBY_WEBHOOK_SECRET", ""))
    parser.add_argument("--webhook-url", default=os.environ.get("WHEREBY_FAKE_WEBHOOK_URL", ""))
    parser.add_argument("--webhook-host", default=os.environ.get("WHEREBY_FAKE_WEBHOOK_HOST", ""))
    parser.add_argument(
        "--room-host", default=os.environ.get("WHEREBY_FAKE_ROOM_HOST", "whereby.localhost")
    )
    args = parser.parse_args(argv)
    fake = FakeWhereby(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        webhook_url=args.webhook_url if args.webhook_secret else "",
        webhook_secret=args.webhook_secret,
        webhook_host=args.webhook_host,
        room_host=args.room_host,
    )
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"[whereby-fake] API on {fake.base_url}, rooms on {fake.room_origin}", flush=True)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        fake.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
