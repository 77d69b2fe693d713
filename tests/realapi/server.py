"""Real kube-apiservers for the tests: started, prepared and stopped by
fleettui/sim/realapi_server.py (`fleettui sim --api real` uses it too); imported from here."""

from fleettui.sim.realapi_build import REPO
from fleettui.sim.realapi_server import (
    USER_NAMESPACE,
    USERS,
    RealServer,
    ServerError,
    launch,
    prepare,
    rss_mib,
    start_servers,
    stop_servers,
    wait_ready,
)

FIXTURES = REPO / "tests" / "fixtures"

__all__ = ["FIXTURES", "USERS", "USER_NAMESPACE", "RealServer", "ServerError", "launch",
           "prepare", "rss_mib", "start_servers", "stop_servers", "wait_ready"]
