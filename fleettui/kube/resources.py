"""The resources fleettui reads and writes, and the states of a watch feed.

Kept apart from the client so that the UI can name them without importing the kubernetes
package, which would delay the first frame by a quarter of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

# States of a (cluster, resource) watch feed, as the UI shows them.
CONNECTING = "connecting"
SYNCED = "synced"
RECONNECTING = "reconnecting"
FORBIDDEN = "forbidden"
MISSING = "missing"  # the resource type is not served (CRD not installed)
CREDENTIALS = "credentials"  # the server is up but the kubeconfig no longer fits (CA, token)
PROBLEMS = (CREDENTIALS, RECONNECTING, FORBIDDEN, MISSING)  # shown with their message, worst first


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    namespaced: bool = True

    def path(self, namespace: str | None = None, name: str = "", sub: str = "") -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        if name:
            base += f"/{quote(name, safe='')}"
        if sub:
            base += f"/{sub}"
        return base

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


KURATOR_BACKUPS = Resource("backup.kurator.dev", "v1alpha1", "backups")
KURATOR_CLUSTERS = Resource("cluster.kurator.dev", "v1alpha1", "clusters")
KURATOR_RESTORES = Resource("backup.kurator.dev", "v1alpha1", "restores")
KURATOR_MIGRATES = Resource("backup.kurator.dev", "v1alpha1", "migrates")
FLEETS = Resource("fleet.kurator.dev", "v1alpha1", "fleets")
ATTACHED_CLUSTERS = Resource("cluster.kurator.dev", "v1alpha1", "attachedclusters")
VELERO_BACKUPS = Resource("velero.io", "v1", "backups")
VELERO_SCHEDULES = Resource("velero.io", "v1", "schedules")
VELERO_RESTORES = Resource("velero.io", "v1", "restores")
VELERO_BSLS = Resource("velero.io", "v1", "backupstoragelocations")
VELERO_DELETE_REQUESTS = Resource("velero.io", "v1", "deletebackuprequests")
VELERO_DOWNLOAD_REQUESTS = Resource("velero.io", "v1", "downloadrequests")
NAMESPACES = Resource("", "v1", "namespaces", namespaced=False)
PODS = Resource("", "v1", "pods")
SECRETS = Resource("", "v1", "secrets")
