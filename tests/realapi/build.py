"""The build cache of the real kube-apiserver and kubectl lives in fleettui/sim/realapi_build.py
(`fleettui sim --api real` uses it too); the tests import it from here."""

from fleettui.sim.realapi_build import (
    KUBE_VERSION,
    REPO,
    SOURCES,
    Binaries,
    BuildError,
    build_command,
    build_env,
    build_lock,
    cache_root,
    ensure_built,
    go_binary,
)

__all__ = ["KUBE_VERSION", "REPO", "SOURCES", "Binaries", "BuildError", "build_command",
           "build_env", "build_lock", "cache_root", "ensure_built", "go_binary"]
