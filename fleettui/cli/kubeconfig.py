"""Which kubeconfig and contexts a command uses, checked before anything connects.

A missing or unreadable kubeconfig and an unknown context are bad input (exit 2, one line naming
the flag), as kubectl treats them; the kubernetes client is imported only to read the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fleettui.cli.output import CliError, usage
from fleettui.kube.errors import KubeError

DEFAULT = "~/.kube/config"


def kubeconfig_paths(kubeconfig: str | None) -> list[str]:
    """The files the kubernetes client would read: --kubeconfig, else every $KUBECONFIG entry,
    else ~/.kube/config."""
    if kubeconfig:
        return [kubeconfig]
    env = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return env or [DEFAULT]


def require_kubeconfig(kubeconfig: str | None) -> None:
    """One line naming the path(s) tried when there is no kubeconfig to read."""
    paths = kubeconfig_paths(kubeconfig)
    if any(Path(p).expanduser().is_file() for p in paths):
        return
    if kubeconfig:
        raise usage("--kubeconfig", f"{kubeconfig}: {_not_a_file(Path(kubeconfig).expanduser())}")
    where = ("$KUBECONFIG=" + os.pathsep.join(paths)) if os.environ.get("KUBECONFIG") else \
        DEFAULT
    raise usage("--kubeconfig", f"no kubeconfig found (tried {where}); name one with "
                                "--kubeconfig FILE, or run `fleettui demo` to try fleettui on "
                                "a simulated fleet")


def _not_a_file(path: Path) -> str:
    if path.is_dir():
        return "is a directory, not a kubeconfig file"
    if path.exists():
        return "is not a regular file (a kubeconfig is a YAML file)"
    return "no such file"


def read_contexts(kubeconfig: str | None) -> tuple[list[str], str | None]:
    """Context names and the current one; a missing or broken file is bad input."""
    from fleettui.kube.client import list_contexts

    require_kubeconfig(kubeconfig)
    try:
        return list_contexts(kubeconfig)
    except KubeError as e:
        raise usage("--kubeconfig", e.message.removeprefix("cannot read kubeconfig: ")
                    .strip() or "cannot read the kubeconfig") from e


def check_context_quickly(kubeconfig: str | None, context: str | None) -> None:
    """For the TUI, before its first frame: the kubeconfig exists and names `context`, read as
    plain YAML (the kubernetes client loads later, off the first frame's path)."""
    require_kubeconfig(kubeconfig)
    if not context:
        return
    import yaml

    names: list[str] = []
    for path in kubeconfig_paths(kubeconfig):
        try:
            data = yaml.safe_load(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue  # the app says what is wrong with the file when it connects
        entries = data.get("contexts") if isinstance(data, dict) else None
        names += [str(c.get("name")) for c in entries or [] if isinstance(c, dict)]
    if context not in names:
        raise unknown_context(names, context)


def uses_exec_plugin(kubeconfig: str | None, context: str | None) -> bool:
    """Whether the context's user gets its credentials from an exec plugin (plain YAML)."""
    import yaml

    docs = []
    for path in kubeconfig_paths(kubeconfig):
        try:
            docs.append(yaml.safe_load(Path(path).expanduser().read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
    docs = [d for d in docs if isinstance(d, dict)]
    name = context or next((str(d["current-context"]) for d in docs
                            if d.get("current-context")), "")

    def named(key: str, wanted: str) -> dict[str, Any]:
        for d in docs:
            for entry in d.get(key) or []:
                if isinstance(entry, dict) and entry.get("name") == wanted:
                    return entry
        return {}

    user = str((named("contexts", name).get("context") or {}).get("user") or "")
    return bool(user) and isinstance((named("users", user).get("user") or {}).get("exec"), dict)


def unknown_context(names: list[str], context: str, flag: str = "--context") -> CliError:
    return usage(flag, f"no context {context!r} in the kubeconfig (contexts: "
                       f"{', '.join(names) or 'none'})")


def resolve_context(kubeconfig: str | None, context: str | None) -> str:
    """`context`, checked against the kubeconfig, or its current context."""
    names, current = read_contexts(kubeconfig)
    if context:
        if context not in names:
            raise unknown_context(names, context)
        return context
    if not current:
        raise usage("--context", "the kubeconfig has no current context; name one")
    return current


def resolve_contexts(kubeconfig: str | None, contexts: list[str]) -> list[str]:
    """Every context of a comma-separated --context, all checked before any is used."""
    if not contexts:
        return [resolve_context(kubeconfig, None)]
    names, _ = read_contexts(kubeconfig)
    missing = [c for c in contexts if c not in names]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise usage("--context", f"no context {listed} in the kubeconfig; nothing was created "
                                 f"(contexts: {', '.join(names) or 'none'})")
    return contexts
