"""The one rule for any address a key or token is sent to: https (or wss), unless the server is this computer.

A key sent over plain http to another machine can be read by anyone on the way (a café's Wi-Fi, a proxy). Loopback
is exempt: the embedded practice partner, a local model server and the test servers listen on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

SECURE_SCHEMES = ("https", "wss")


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_text_host(url: str) -> str | None:
    """The host a key would reach unencrypted at `url`, or None when the address is safe for a key."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in SECURE_SCHEMES:
        return None
    host = parts.hostname or ""
    return None if host and is_loopback_host(host) else (host or url.strip())


def insecure_key_message(what: str, url: str, where: str = "in Settings") -> str | None:
    """Words for the user when `url` may not carry `what` (e.g. "the ElevenLabs API key"); None when it may."""
    host = plain_text_host(url)
    if host is None:
        return None
    return (
        f"Not sending {what} to {host}: the address must start with https:// ({host} is not this computer, and the "
        f"key must not travel unencrypted). Change the address {where}."
    )
