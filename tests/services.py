"""
Real services for the tests that need them, started and stopped by the tests themselves: a
throwaway Redis from Debian's redis-server (make test installs it) and an S3 emulator
(moto's server, from requirements-dev.txt) spoken to over HTTP like any S3. Never a stand-in
inside the test process.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.05)


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
        _wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def redis_url_from_environment() -> str | None:
    """make test may start one Redis for the whole run and name it here."""
    return os.environ.get("DISEASEMAPS_TEST_REDIS_URL") or None


# The emulator's account: any key works, but S3 clients refuse to sign without one.
S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@contextmanager
def s3_server():
    """moto's S3 server on a free loopback port; yields its endpoint URL and stops it after."""
    binary = Path(sys.executable).with_name("moto_server")
    if not binary.exists():
        raise RuntimeError("moto[server] is needed (requirements-dev.txt)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own emulator and arguments)
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def create_bucket(endpoint_url: str, name: str) -> dict:
    """A new, empty bucket; returns the STORAGE_OPTIONS of an S3Storage on it."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
        region_name=S3_CREDENTIALS["region_name"],
    ).create_bucket(Bucket=name)
    return {**S3_CREDENTIALS, "bucket_name": name, "endpoint_url": endpoint_url}


def s3_url_from_environment() -> str | None:
    """make test may start one S3 emulator for the whole run and name it here."""
    return os.environ.get("DISEASEMAPS_TEST_S3_URL") or None
