"""Fixtures for the boto3 conformance suite.

A session-scoped fixture starts the cognito-issuer binary (ISSUER_BIN, built
by run.sh) on a free loopback port with a temporary data directory and a
small TOML configuration, waits for /_issuer/health and stops it at the end.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

import boto3
import botocore.config
import pytest

CONFIG = """
[[pools]]
name = "conformance-default"
alias_attributes = ["email"]

[[pools.clients]]
name = "public"

[[pools]]
name = "throttled"
auth_rate_limit = 2

[[pools.clients]]
name = "throttled-client"
prevent_user_existence_errors = false

[[pools]]
name = "aws-style"
issuer_style = "aws"
region = "eu-west-1"

[[pools.clients]]
name = "aws-client"
"""


def _binary():
    path = os.environ.get("ISSUER_BIN")
    if not path or not os.path.exists(path):
        pytest.exit("ISSUER_BIN is not set to a built cognito-issuer binary (use run.sh)", 2)
    return path


class Issuer:
    """A running issuer process."""

    def __init__(self, url, proc, data_dir, pools):
        self.url = url
        self.proc = proc
        self.data_dir = data_dir
        self.pools = pools

    def log(self):
        with open(os.path.join(self.data_dir, "issuer.log")) as f:
            return f.read()

    def get_json(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def outbox(self, pool_id, username):
        q = urllib.parse.urlencode({"pool": pool_id, "username": username})
        return self.get_json("/_issuer/outbox?" + q)["messages"]

    def latest_code(self, pool_id, username, kind=None):
        for m in self.outbox(pool_id, username):
            if m.get("code") and (kind is None or m["kind"] == kind):
                return m["code"]
        raise AssertionError(f"no code in the outbox for {username}")

    def raw(self, target, body, content_type="application/x-amz-json-1.1"):
        """POSTs a raw API request; returns (status, headers, json body)."""
        headers = {"Content-Type": content_type}
        if target is not None:
            headers["X-Amz-Target"] = target
        req = urllib.request.Request(self.url + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, json.loads(e.read() or b"{}")


def start_issuer(extra_args=(), config=CONFIG):
    """Starts the binary on a free loopback port; returns (Issuer, banner lines)."""
    data_dir = tempfile.mkdtemp(prefix="issuer-conformance-")
    cfg = os.path.join(data_dir, "config.toml")
    with open(cfg, "w") as f:
        f.write(config)
    proc = subprocess.Popen(
        [_binary(), "--bind", "127.0.0.1:0", "--data-dir", os.path.join(data_dir, "db"), "--config", cfg,
         *extra_args],
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(data_dir, "issuer.log"), "w"),
        text=True,
        env={**os.environ, "RUST_LOG": "debug"},
    )
    url = None
    banner = []
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip("\n"))
        m = re.match(r"cognito-issuer listening on (\S+)", line)
        if m:
            url = m.group(1)
            break
    if url is None:
        proc.kill()
        log = open(os.path.join(data_dir, "issuer.log")).read()
        pytest.exit(f"issuer did not start:\n{log}", 2)
    # The rest of the banner, then keep draining stdout so the process never
    # blocks on a full pipe.
    for _ in range(12):
        line = proc.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip("\n"))
        if line.startswith("  outbox"):
            break
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    while True:
        try:
            with urllib.request.urlopen(url + "/_issuer/health", timeout=2) as r:
                if json.loads(r.read())["status"] == "ok":
                    break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    with urllib.request.urlopen(url + "/_issuer/pools", timeout=10) as r:
        pools = {p["name"]: p for p in json.loads(r.read())["pools"]}
    return Issuer(url, proc, data_dir, pools), banner


def stop_issuer(issuer):
    proc = issuer.proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if proc.returncode not in (0, -15):
        print(open(os.path.join(issuer.data_dir, "issuer.log")).read())
    shutil.rmtree(issuer.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def issuer():
    running, _ = start_issuer()
    yield running
    stop_issuer(running)


@pytest.fixture(scope="session")
def idp(issuer):
    """A boto3 cognito-idp client pointed at the issuer (dummy credentials)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return boto3.client(
        "cognito-idp",
        endpoint_url=issuer.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def pool(idp):
    """A fresh pool (email alias, email auto-verified) with a public client
    allowing password, refresh and admin password flows (LEGACY existence
    errors, so UserNotFoundException is visible)."""
    p = idp.create_user_pool(
        PoolName=f"pool-{time.time_ns()}",
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]
    c = idp.create_user_pool_client(
        UserPoolId=p["Id"],
        ClientName="app",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
    )["UserPoolClient"]
    yield {"id": p["Id"], "client_id": c["ClientId"], "pool": p}
    try:
        idp.delete_user_pool(UserPoolId=p["Id"])
    except Exception:
        pass
