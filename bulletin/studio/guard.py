"""Who may use the workbench, and the headers every answer carries.

The workbench edits files and publishes, so a web page the editor happens to visit must not
be able to drive it:

- **Host**: only the names the server was bound to (127.0.0.1, localhost, [::1] and the
  address given with --host), with its port. A page on another name that resolves to
  127.0.0.1 (DNS rebinding) is refused before anything is read.
- **Origin**: a request that changes anything (POST, PUT, DELETE) must come from the
  workbench's own origin, and carry the CSRF token the workbench page holds (a fresh random
  one per server). Without Origin, it is refused too.
- **Token**: bound to another address than 127.0.0.1, anyone on the network could reach it;
  then every request needs the access token printed at start-up (opened once as
  /_studio/?token=…, it is kept in an HttpOnly, SameSite=Strict cookie).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from bulletin.diagnostics.errors import Message, msg
from bulletin.render import CSP

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COOKIE = "bulletin_studio"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class Guard:
    host: str  # the address bound (127.0.0.1 by default)
    port: int
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token: str | None = None  # set when bound to a non-loopback address

    def __post_init__(self) -> None:
        if self.token is None and not loopback(self.host):
            self.token = secrets.token_urlsafe(24)

    @property
    def hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]"}
        if self.host not in ("0.0.0.0", "::"):
            names.add(f"[{self.host}]" if ":" in self.host else self.host)
        return {f"{n}:{self.port}" for n in names}

    def refuse(
        self, method: str, headers: Mapping[str, str], query_token: str | None = None
    ) -> Message | None:
        """Why this request is refused (403), or None."""
        host = (headers.get("Host") or "").lower()
        if host not in self.hosts:
            return msg("studio.bad_host", host=host[:80] or "-")
        if self.token is not None:
            given = query_token or _cookie(headers.get("Cookie"))
            if not given or not hmac.compare_digest(given, self.token):
                return msg("studio.no_token")
        if method in CHANGES:
            origin = headers.get("Origin")
            if origin != f"http://{host}":
                return msg("studio.bad_origin", origin=(origin or "-")[:80])
            sent = headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent, self.csrf):
                return msg("studio.bad_csrf")
        return None

    def cookie(self) -> str:
        """The Set-Cookie header that keeps the access token (a non-loopback server)."""
        return f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"


def _cookie(header: str | None) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header: no token
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None
