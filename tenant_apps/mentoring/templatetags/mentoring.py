"""Messages are plain text with links made clickable — without marking anything safe: the text
is cut into parts (text, or a link) and the template writes each part, escaped as usual, the
links as <a> elements whose href is an http(s) address taken from the text."""

import re
from typing import Any

from django import template

register = template.Library()

URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»"


@register.filter
def message_parts(body: str) -> list[dict[str, Any]]:
    """[{"text": ..., "url": ""} | {"text": url, "url": url}] in order."""
    parts: list[dict[str, Any]] = []
    position = 0
    for match in URL.finditer(body or ""):
        url = match.group(0).rstrip(TRAILING)
        start, end = match.start(), match.start() + len(url)
        if len(url) <= len("https://"):
            continue
        if start > position:
            parts.append({"text": body[position:start], "url": ""})
        parts.append({"text": url, "url": url})
        position = end
    if position < len(body or ""):
        parts.append({"text": body[position:], "url": ""})
    return parts
