"""Facts about the request being served that more than one layer needs."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind Scaleway's load balancer the last hop is in
    X-Forwarded-For; trusted only when the production settings say a proxy is in front."""
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        return forwarded.split(",")[-1].strip()
    remote: str = request.META.get("REMOTE_ADDR", "")
    return remote
