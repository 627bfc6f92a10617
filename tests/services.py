"""
Real services for the tests that need them, started and stopped by the tests themselves: a
throwaway Redis from Debian's redis-server (make test installs it). Never a stand-in.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server():
    """A Redis on a free loopback port, in memory only; yields its URL and stops it after."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("Debian's redis-server is needed (make test installs it)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="redis-")
    process = subprocess.Popen(  # noqa: S603 (a fixed binary and our own arguments)
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def redis_url_from_environment() -> str | None:
    """make test may start one Redis for the whole run and name it here."""
    return os.environ.get("DISEASEMAPS_TEST_REDIS_URL") or None
