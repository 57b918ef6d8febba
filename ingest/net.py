"""The network under the fetcher: a wall-clock deadline on every socket wait, and the
address policy at connect time (no loopback, private or link-local address nobody named).

httpx's timeouts bound each wait, not the whole call: a server sending a byte every 29 s
never trips a 30 s read timeout. httpcore's network backend is wrapped so each connect,
read and write waits at most what is left of the current `get()`'s deadline, and so a
host nobody trusted is resolved once, checked, and connected to at the checked address.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Callable

import httpcore
import httpx

from index.errors import SourceError

# Checked in this order, so an address gets its most telling name (169.254/16 is also private).
_UNFIT = ("loopback", "link-local", "multicast", "unspecified", "reserved", "private")


# --- the deadline: one per `get()`, seen by every socket operation it makes ------------------


class Deadline:
    """When one `get()` must be over; socket waits are cut to the time left."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.hit = False  # a wait was cut short by the deadline and timed out

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.hit or self.left() <= 0


# Set by `Fetcher.get` for the socket operations it makes, in this thread only.
DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "fetch_deadline", default=None
)


def late(url: str) -> SourceError:
    return SourceError(url, f"took over {DEADLINE.get().seconds:g}s (deadline)")


def within(timeout: float | None, timeout_error: type[Exception], operation: Callable):
    """`operation(timeout)`, with the timeout cut to what is left of the deadline."""
    deadline = DEADLINE.get()
    if deadline is None:
        return operation(timeout)
    left = deadline.left()
    if left <= 0:
        deadline.hit = True
        raise timeout_error("the deadline has passed")
    if timeout is not None and timeout < left:
        return operation(timeout)
    try:
        return operation(left)
    except timeout_error:
        deadline.hit = True
        raise


# --- the network backend: the deadline and the address policy at connect time --------------


class Refused(Exception):
    """A connection the address policy does not allow; the message says why."""


class _Stream(httpcore.NetworkStream):
    """A socket stream whose every wait ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return within(timeout, httpcore.ReadTimeout, lambda t: self._inner.read(max_bytes, t))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        within(timeout, httpcore.WriteTimeout, lambda t: self._inner.write(buffer, t))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        # httpcore passes the URL's hostname (not the address we connected to), so SNI and
        # certificate checks still name the host.
        def handshake(t):
            return self._inner.start_tls(ssl_context, server_hostname, t)

        return _Stream(within(timeout, httpcore.ConnectTimeout, handshake))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class Backend(httpcore.SyncBackend):
    """Connects within the deadline, and to an untrusted host only at a public address."""

    def __init__(self, trusted: set[str]):
        self.trusted = trusted

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = within(timeout, httpcore.ConnectTimeout, lambda t: _resolve(host, port, t))
        if host_key(host) not in self.trusted:
            _check(host, addresses)
        connect, failure = super().connect_tcp, httpcore.ConnectError(f"{host} has no address")
        for address in addresses:  # the checked addresses, so DNS cannot change in between
            try:
                stream = within(
                    timeout,
                    httpcore.ConnectTimeout,
                    lambda t, a=address: connect(a, port, t, local_address, socket_options),
                )
                return _Stream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure


class Transport(httpx.HTTPTransport):
    """httpx's transport over `backend`."""

    def __init__(self, backend: httpcore.NetworkBackend):
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        # httpx 0.28 takes no network backend (encode/httpx#3749 would add one), so the
        # pool it built is swapped for one with ours, with httpx's default limits.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=backend,
        )


def proxy_mounts() -> dict[str, httpx.BaseTransport | None]:
    """httpx's HTTP(S)_PROXY/ALL_PROXY/NO_PROXY handling, which passing a transport turns off.

    A proxied request does not go through `Backend`: the proxy resolves and connects, so
    the address check does not apply and the deadline is checked only between body chunks.
    """
    from httpx._utils import get_environment_proxies

    return {
        pattern: None if proxy is None else httpx.HTTPTransport(proxy=proxy)
        for pattern, proxy in get_environment_proxies().items()
    }


def host_key(host: str) -> str:
    return host.strip().strip("[]").lower()


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host_key(host))
    except ValueError:
        return None


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses `host` has, in the resolver's order, looked up within `timeout`."""
    if (literal := _literal(host)) is not None:
        return [str(literal)]
    found: list = []

    def lookup():
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            found.append(exc)

    # getaddrinfo takes no timeout; a stuck lookup is left to finish on its own.
    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not found:
        raise httpcore.ConnectTimeout(f"looking up {host} took over {timeout:g}s")
    if isinstance(found[0], OSError):
        raise httpcore.ConnectError(f"cannot look up {host}: {found[0]}")
    return list(dict.fromkeys(info[4][0] for info in found[0]))


def _check(host: str, addresses: list[str]) -> None:
    """Refuse `host` if any address it has is not a public one."""
    for address in addresses:
        if kind := _unfit(address):
            what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address no source names"
            if _literal(host) is not None:
                raise Refused(f"{host} is {what}")
            raise Refused(f"{host} resolves to {address}, {what}")


def _unfit(address: str) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in _UNFIT:
        if getattr(ip, "is_" + kind.replace("-", "_")):
            return kind
    return None if ip.is_global else "non-public"  # e.g. 100.64/10, carrier-grade NAT


# --- content encodings, decoded here in bounded steps --------------------------------------
