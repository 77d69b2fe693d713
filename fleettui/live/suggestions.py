"""What the forms offer for completion: namespaces and pod labels read from the members."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import label_suggestions, namespaces
from fleettui.live.submit import PARALLEL

if TYPE_CHECKING:
    from fleettui.live.session import Session


def member_suggestions(session: Session, clusters: list[str]
                       ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(cluster → its namespaces, label key → values) of the members that can be read; a
    member that cannot is left out (the forms work without suggestions). Blocks: call it from
    a worker thread."""
    def read(cluster: str) -> tuple[set[str], dict[str, set[str]]] | None:
        try:
            client = session.member(cluster)
            return set(namespaces(client)), label_suggestions(client)
        except KubeError:
            return None

    by_cluster: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    if not clusters:
        return by_cluster, labels
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(clusters))) as pool:
        for cluster, found in zip(clusters, pool.map(read, clusters), strict=True):
            if found is None:
                continue
            by_cluster[cluster] = found[0]
            for key, values in found[1].items():
                labels.setdefault(key, set()).update(values)
    return by_cluster, labels
