"""A stand-in for the network side of Sentry: a real `sentry_sdk` client configured by the
project (saas.core.observability.sentry_init) is given this transport, which keeps every
envelope the client would send so that a test can read what would have left the process."""

import json

from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

# A DSN of Sentry's EU region (the only SaaS region the settings accept without a warning).
EU_DSN = "https://public@o4500000000000001.ingest.de.sentry.io/4500000000000002"


class CapturingTransport(Transport):
    """Keeps every envelope the client would send."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def items(self) -> list[dict]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.payload.json is not None
        ]

    def events(self) -> list[dict]:
        return [item for item in self.items() if "exception" in item or "logentry" in item]

    def text(self) -> str:
        """Everything that would leave the process, as readable text (no \\u escapes)."""
        return "\n".join(json.dumps(item, ensure_ascii=False) for item in self.items())
