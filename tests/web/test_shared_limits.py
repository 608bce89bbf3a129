"""Login limits are shared by every web process through Redis (MATCHMAKER_REDIS_URL).

Two real processes: a child makes the first attempts, this process the next one. With Redis
the child's attempts count here; with the in-process store (the control) they do not.
"""
from __future__ import annotations

import dataclasses
import json
import random
import socket
import subprocess
import sys

import pytest

from tests.web.helpers import text, token_from

REDIS_URL = "redis://127.0.0.1:6379/0"
CHILD = """
import json, sys
from pathlib import Path
from matchmaker.config import Settings
from matchmaker.web import create_app
from tests.web.helpers import token_from
args = json.loads(sys.argv[1])
app = create_app(Settings(instance_dir=Path(args["instance"]), database_url=args["db"],
                          secret_key="test-secret-key-0123456789-abcdefghij-klmnop", testing=True, redis_url=args["redis"],
                          login_rate_limit="3 per minute").resolved())
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = args["address"]
codes = [client.post("/login", data={"login": "nobody@example.com", "password": "wrong-pass",
                                     "csrf_token": token_from(client, "/login")}).status_code
         for _ in range(3)]
print(json.dumps(codes))
"""


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def attempts_across_two_processes(settings, project_root, redis_url: str) -> tuple[list, int, str]:
    from matchmaker.web import create_app
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    args = {"instance": str(settings.instance_dir), "db": settings.database_url,
            "redis": redis_url, "address": address}
    child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], cwd=project_root,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    app = create_app(dataclasses.replace(settings, redis_url=redis_url,
                                         login_rate_limit="3 per minute"))
    try:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        response = client.post("/login", data={"login": "nobody@example.com",
                                               "password": "wrong-pass",
                                               "csrf_token": token_from(client, "/login")})
        return json.loads(child.stdout.strip().splitlines()[-1]), response.status_code, text(response)
    finally:
        app.extensions["matchmaker"].dispose()


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_attempts_in_another_process_count_with_redis(settings, project_root):
    first, fourth, page = attempts_across_two_processes(settings, project_root, REDIS_URL)
    assert first == [200, 200, 200]
    assert fourth == 429 and "操作过于频繁" in page


def test_without_redis_each_process_counts_alone(settings, project_root):
    """The control: the in-process store does not see the other process's attempts."""
    first, fourth, _page = attempts_across_two_processes(settings, project_root, "")
    assert first == [200, 200, 200] and fourth == 200
