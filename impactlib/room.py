"""The training room: which address participants type to reach the trainer's laptop.

``impactmonitor verkenner --bind 0.0.0.0`` and ``impactmonitor mirror --bind 0.0.0.0`` listen on
every network address of this computer. :func:`room_addresses` says which of them a participant
in the same (Wi-Fi) network can type; :func:`announce` writes the lines the commands print,
with a QR code in the terminal (:mod:`segno`, when installed) for the first address.

Finding the addresses sends nothing over the network: they are read from the network
interfaces (Linux) or from this computer's own host name.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from typing import TextIO

__all__ = ["ALL_ADDRESSES", "room_addresses", "room_urls", "qr_text", "announce", "is_everywhere"]

ALL_ADDRESSES = ("0.0.0.0", "::", "")
_SIOCGIFADDR = 0x8915


def is_everywhere(bind: str) -> bool:
    """True when ``bind`` means: listen on every address of this computer."""
    return str(bind).strip() in ALL_ADDRESSES


def _interface_addresses() -> list[str]:
    """IPv4 addresses of the network interfaces (Linux ioctl; empty elsewhere)."""
    try:
        import fcntl
    except ImportError:  # not on Windows
        return []
    found = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            try:
                packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:  # an interface without an IPv4 address
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def _hostname_addresses() -> list[str]:
    try:
        return socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return []


def room_addresses(candidates: list[str] | None = None) -> list[str]:
    """This computer's IPv4 addresses that others in the network can reach; private ones first.

    Loopback (127.x), link-local (169.254.x) and unspecified addresses are left out.
    """
    seen = candidates if candidates is not None else _interface_addresses() + _hostname_addresses()
    out = []
    for text in dict.fromkeys(seen):
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            continue
        if ip.version != 4 or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
            continue
        out.append(ip)
    out.sort(key=lambda ip: (not ip.is_private, int(ip)))
    return [str(ip) for ip in out]


def room_urls(port: int, path: str = "/", addresses: list[str] | None = None) -> list[str]:
    return [f"http://{a}:{port}{path}" for a in (room_addresses() if addresses is None else addresses)]


def qr_text(url: str) -> str | None:
    """The URL as a QR code of text blocks for the terminal; ``None`` without :mod:`segno`."""
    try:
        import segno
    except ImportError:
        return None
    import io

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def announce(what: str, port: int, path: str = "/", *, out: TextIO | None = None, qr: bool = True,
             addresses: list[str] | None = None) -> list[str]:
    """Print the address(es) participants type, and a QR code of the first; return the URLs."""
    out = out or sys.stdout
    urls = room_urls(port, path, addresses)
    if not urls:
        out.write(f"{what} luistert op het hele netwerk (poort {port}), maar het netwerkadres van deze computer "
                  "is niet te vinden. Zoek het op in de netwerkinstellingen en laat deelnemers "
                  f"http://<dat-adres>:{port}{path} typen.\n")
        return []
    out.write(f"{what} voor de deelnemers (in hetzelfde netwerk): {urls[0]}\n")
    for other in urls[1:]:
        out.write(f"  of, in een ander netwerk van deze computer: {other}\n")
    if qr:
        code = qr_text(urls[0])
        if code:
            out.write("Of scan deze code met de camera van een telefoon of laptop:\n" + code)
    out.flush()
    return urls
