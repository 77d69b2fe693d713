"""An exec credential plugin for the simulator, as `aws eks get-token` or kubelogin are for
real clusters: a small Python script (run with this interpreter, standard library only) that
asks the host's /_sim/token for a fresh token and prints a client.authentication.k8s.io/v1
ExecCredential with its expirationTimestamp (client-go pkg/client/auth/exec reads it, and runs
the plugin again once it has expired or after a 401)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

EXEC_API = "client.authentication.k8s.io/v1"

_SCRIPT = '''#!{python}
"""fleettui simulator credential plugin: prints an ExecCredential with a freshly minted token."""
import json
import ssl
import sys
import urllib.request

URL = {url!r}
USER = {user!r}
CA = {ca!r}

request = urllib.request.Request(URL, data=json.dumps({{"user": USER}}).encode(), method="POST",
                                 headers={{"Content-Type": "application/json"}})
try:
    with urllib.request.urlopen(request, timeout=10,
                                context=ssl.create_default_context(cadata=CA)) as response:
        minted = json.load(response)
except OSError as e:
    print(f"fleettui-sim-credential: cannot reach {{URL}}: {{e}}", file=sys.stderr)
    sys.exit(1)
status = {{"token": minted["token"]}}
if minted.get("expirationTimestamp"):
    status["expirationTimestamp"] = minted["expirationTimestamp"]
print(json.dumps({{"apiVersion": {api!r}, "kind": "ExecCredential", "status": status}}))
'''


def plugin_script(url: str, user: str, ca_pem: str) -> str:
    return _SCRIPT.format(python=sys.executable, url=url, user=user, ca=ca_pem, api=EXEC_API)


def exec_kubeconfig(servers: dict[str, str], current: str, plugin: Path,
                    ca_data: str) -> dict[str, Any]:
    user = "fleettui-exec"
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": n, "cluster": {"server": u,
                                             "certificate-authority-data": ca_data}}
                     for n, u in servers.items()],
        "users": [{"name": user, "user": {"exec": {
            "apiVersion": EXEC_API, "command": sys.executable, "args": [str(plugin)],
            "interactiveMode": "Never", "provideClusterInfo": False}}}],
        "contexts": [{"name": n, "context": {"cluster": n, "user": user, "namespace": "default"}}
                     for n in servers],
        "current-context": current,
    }
