"""Hosts of their own for one test: Linux network namespaces joined to this one by veth links.

Each host gets a namespace and a veth pair on a /30 of its own in 10.250.0.0/16 (addresses the
test creates and removes; nothing is routed beyond the machine). Cutting a host's link drops
its packets silently, as a failed switch port or a lost machine does: no reset reaches anyone.
Needs root and iproute2 (`.ci/run` installs it when missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces (CI runs as root)"
    if not shutil.which("ip"):
        return "needs iproute2's `ip` (.ci/run installs it)"
    probe = f"nd-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot create a network namespace here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass
class Host:
    name: str  # the namespace
    link: str  # the veth end in this (the test's) namespace
    address: str  # the host's own address
    gateway: str  # this namespace's address on the link: where the host reaches Redis

    @property
    def prefix(self) -> list[str]:
        """Run a command on this host."""
        return ["ip", "netns", "exec", self.name]

    def cut(self) -> None:
        _ip("link", "set", self.link, "down")

    def restore(self) -> None:
        _ip("link", "set", self.link, "up")


@contextlib.contextmanager
def hosts(*names: str) -> Iterator[dict[str, Host]]:
    """One namespace per name, each linked to this namespace; all removed afterwards."""
    tag = f"{os.getpid() % 100000}"
    base = (os.getpid() % 60) * 4  # another test run at once gets other subnets
    made: dict[str, Host] = {}
    try:
        for n, name in enumerate(names, start=1):
            ns, link, peer = f"nd{tag}-{name}", f"nd{tag}h{n}", f"nd{tag}h{n}p"
            subnet = f"10.250.{base + n}"
            host = Host(ns, link, f"{subnet}.2", f"{subnet}.1")
            _ip("netns", "add", ns)
            made[name] = host
            _ip("link", "add", link, "type", "veth", "peer", "name", peer)
            _ip("link", "set", peer, "netns", ns)
            _ip("addr", "add", f"{host.gateway}/30", "dev", link)
            _ip("link", "set", link, "up")
            _ip("-n", ns, "addr", "add", f"{host.address}/30", "dev", peer)
            _ip("-n", ns, "link", "set", peer, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield made
    finally:
        for host in made.values():
            subprocess.run(["ip", "link", "delete", host.link], capture_output=True)
            subprocess.run(["ip", "netns", "delete", host.name], capture_output=True)
