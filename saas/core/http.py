"""Facts about the request being served that more than one layer needs."""

from django.conf import settings


def client_ip(request: object) -> str:
    """The client address. Behind Scaleway's load balancer the last hop is in
    X-Forwarded-For; trusted only when the production settings say a proxy is in front."""
    meta = request.META  # type: ignore[attr-defined]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")
