"""The build makes no network access: not bulletin, not a library, not a child process.

The sample site is built in a subprocess whose sitecustomize.py (on PYTHONPATH)

- replaces socket connect/connect_ex/sendto/sendmsg (but for local AF_UNIX sockets, which
  multiprocessing and asyncio use), getaddrinfo, gethostbyname, create_connection and friends
  with functions that record the attempt in a file and raise;
- on Linux (x86-64, arm64), installs a seccomp filter that kills any process of the build —
  the Python process, its threads and every child, such as Pagefind's binary (the Python API
  talks to it over stdin/stdout) — that creates an internet (IPv4/IPv6) or packet socket.
  Local sockets (AF_UNIX: asyncio's self-pipe) stay allowed.

The build must succeed with nothing recorded. The guard itself is tested first: in the same
set-up, opening a TCP socket must be recorded, and creating one must kill the process.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import tree_digest
from .test_determinism import copy_inputs

SITECUSTOMIZE = r"""
import ctypes, os, socket, struct, sys, traceback

_LOG = os.environ["BULLETIN_TEST_NETLOG"]


def _blocked(name):
    def refuse(*args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {name}{args!r}\n")
            log.write("".join(traceback.format_stack(limit=8)) + "\n")
        raise OSError(f"network access blocked by the test: {name}")
    return refuse


def _local_only(name):
    original, refuse = getattr(socket.socket, name), _blocked(f"socket.{name}")

    def method(self, *args, **kwargs):
        if self.family == socket.AF_UNIX:  # a local socket (multiprocessing, asyncio)
            return original(self, *args, **kwargs)
        return refuse(self, *args, **kwargs)
    return method


for _name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(socket.socket, _name, _local_only(_name))
for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
              "create_connection", "getnameinfo"):
    setattr(socket, _name, _blocked(_name))

# seccomp: kill any process of the tree that creates an AF_INET, AF_INET6 or AF_PACKET socket.
_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}.get(os.uname().machine)
if sys.platform == "linux" and _ARCH and os.environ.get("BULLETIN_TEST_SECCOMP") == "1":
    audit_arch, nr_socket = _ARCH
    LD, JEQ, RET = 0x20, 0x15, 0x06
    ALLOW, KILL = 0x7FFF0000, 0x80000000  # SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS
    program = [
        (LD, 0, 0, 4),  # arch
        (JEQ, 0, 6, audit_arch),
        (LD, 0, 0, 0),  # syscall number
        (JEQ, 0, 4, nr_socket),
        (LD, 0, 0, 16),  # first argument: the address family
        (JEQ, 3, 0, socket.AF_INET),
        (JEQ, 2, 0, socket.AF_INET6),
        (JEQ, 1, 0, 17),  # AF_PACKET
        (RET, 0, 0, ALLOW),
        (RET, 0, 0, KILL),
    ]
    raw = b"".join(struct.pack("HBBI", *op) for op in program)
    buf = ctypes.create_string_buffer(raw)

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Prog(len(program), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP")
"""

SECCOMP = sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")


@pytest.fixture
def guarded(tmp_path: Path) -> tuple[dict[str, str], Path]:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
        "BULLETIN_TEST_NETLOG": str(log),
        "BULLETIN_TEST_SECCOMP": "1",
        # a proxy setting must not tempt anything either
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    return env, log


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_guard_catches_network_access(guarded: tuple[dict[str, str], Path]) -> None:
    env, log = guarded
    done = run_python(
        """
        import asyncio, os, socket, tempfile
        asyncio.run(asyncio.sleep(0))  # a local socketpair is fine
        path = os.path.join(tempfile.mkdtemp(), "s")  # and so is a local socket
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)
        server.listen()
        socket.socket(socket.AF_UNIX).connect(path)
        print("local sockets work")
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        except OSError as e:
            print("refused:", e)
        """,
        env,
    )
    assert done.returncode == 0, done.stderr
    assert "local sockets work" in done.stdout and "blocked by the test" in done.stdout
    assert "create_connection" in log.read_text(encoding="utf-8")
    if SECCOMP:
        done = run_python("import socket; socket.socket(socket.AF_INET6); print('alive')", env)
        assert done.returncode == -signal.SIGSYS and "alive" not in done.stdout
        # and in a child process that is not Python at all
        done = run_python(
            "import subprocess; print(subprocess.run(['python3', '-c', "
            "'import socket; socket.socket()']).returncode)",
            env,
        )
        assert done.stdout.strip() == str(-signal.SIGSYS), (done.stdout, done.stderr)


def test_the_build_needs_no_network(guarded: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, log = guarded
    project = copy_inputs(tmp_path / "project")
    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "build", "--root", str(project), "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.returncode, done.stderr)
    assert not log.exists(), log.read_text(encoding="utf-8")
    site = tree_digest(project / "site")
    assert "pagefind/2021-1/pagefind-entry.json" in site and "search/index.html" in site
    assert any(p.endswith(".pdf") for p in site) and any(p.endswith(".svg") for p in site)
