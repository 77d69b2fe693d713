"""What the forms offer for completion: namespaces and pod labels read from the members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import label_suggestions, namespaces

if TYPE_CHECKING:
    from fleettui.live.session import Session


def member_suggestions(session: Session, clusters: list[str]
                       ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(cluster → its namespaces, label key → values) of the members that can be read; a
    member that cannot is left out (the forms work without suggestions). Blocks: call it from
    a worker thread."""
    by_cluster: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    for cluster in clusters:
        try:
            client = session.member(cluster)
            by_cluster[cluster] = set(namespaces(client))
            for key, values in label_suggestions(client).items():
                labels.setdefault(key, set()).update(values)
        except KubeError:
            continue
    return by_cluster, labels
