"""nginx and sshd from Debian's packages, each started on 127.0.0.1 with a config of its own.

Nothing here reads or changes the system's nginx or sshd configuration or services: every
file (config, keys, pid, logs) lives in a temp folder, on a free port, and the daemon runs in
the foreground as a child of the test, stopped when its `with` block ends.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..conftest import ROOT

NGINX = "/usr/sbin/nginx"
SSHD = "/usr/sbin/sshd"
SNIPPET = ROOT / "docs" / "deploy" / "nginx.conf"  # the documented config, included as it is
PREFIX = "bulletin"  # the sub-path the snippet serves


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 10
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{process.args[0]} did not listen on {port}: {log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def require(*programs: str) -> None:
    missing = [p for p in programs if not (shutil.which(p) or Path(p).is_file())]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} missing: run scripts/ensure-system.sh test")


NGINX_CONF = """\
daemon off;
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {work}/access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        set $bulletin_root {dest};
        include {snippet};
    }}
}}
"""


@contextlib.contextmanager
def nginx(dest: Path, work: Path) -> Iterator[str]:
    """nginx serving the publish folder `dest` (its `current`) under /bulletin/ through the
    documented snippet; yields the site's URL."""
    require(NGINX)
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = work / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the temp folders
    conf.write_text(NGINX_CONF.format(user=user, work=work, port=port, dest=dest, snippet=SNIPPET))
    log = work / "error.log"
    log.touch()
    process = subprocess.Popen([NGINX, "-p", str(work), "-e", str(log), "-c", str(conf)])
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/{PREFIX}/"
    finally:
        _stop(process)


SSHD_CONF = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {work}/host_key
PidFile {work}/sshd.pid
AuthorizedKeysFile {work}/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
"""


@dataclass(frozen=True)
class SSHServer:
    port: int
    user: str
    ssh: list[str]  # the ssh command that reaches it (its key, its host key only)

    @property
    def command(self) -> str:
        return shlex.join(self.ssh)

    def dest(self, path: Path) -> str:
        return f"{self.user}@127.0.0.1:{path}"


@contextlib.contextmanager
def sshd(work: Path) -> Iterator[SSHServer]:
    """A loopback sshd that lets in one key generated here, for the user running the tests."""
    require(SSHD, "ssh", "ssh-keygen", "rsync")
    work.mkdir(parents=True, exist_ok=True)
    for key in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", str(work / key)],
            check=True,
        )
    shutil.copy(work / "client_key.pub", work / "authorized_keys")
    port = free_port()
    host_key = (work / "host_key.pub").read_text().split()
    (work / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    conf = work / "sshd_config"
    conf.write_text(SSHD_CONF.format(port=port, work=work))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    log = work / "sshd.log"
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(conf)], stderr=log.open("wb"), stdin=subprocess.DEVNULL
    )
    ssh = [
        "ssh",
        "-F",
        "none",
        "-p",
        str(port),
        "-i",
        str(work / "client_key"),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        f"UserKnownHostsFile={work / 'known_hosts'}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
    ]
    try:
        wait_for_port(port, process, log)
        yield SSHServer(port, getpass.getuser(), ssh)
    finally:
        _stop(process)
