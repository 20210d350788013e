"""Start the tests' identity provider (serve.py) in its own process and wait until its
discovery document answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 90


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    email: str


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def identity_provider(
    *, redirect_uri: str, people: list[Person], publish_another_key: bool = False
) -> Iterator[Provider]:
    port = free_port()
    provider = Provider(
        issuer=f"http://127.0.0.1:{port}/o",
        client_id="partnership-map",
        client_secret="the-client-secret-of-partnership-map-in-the-tests",
    )
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as workdir:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "OIDC_PROVIDER_DIR": workdir,
            "OIDC_PROVIDER_ISSUER": provider.issuer,
            "OIDC_PROVIDER_PUBLISH_ANOTHER_KEY": "1" if publish_another_key else "0",
            "OIDC_PROVIDER_CLIENT": json.dumps(
                {
                    "client_id": provider.client_id,
                    "client_secret": provider.client_secret,
                    "redirect_uri": redirect_uri,
                    "people": [vars(p) for p in people],
                }
            ),
        }
        log = Path(workdir) / "server.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.access.oidc_provider.serve", str(port)],
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for(provider, process, log)
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(provider: Provider, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The identity provider stopped:\n{log.read_text()}")
        try:
            answer = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2)
            if answer.status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"The identity provider did not start:\n{log.read_text()}")
