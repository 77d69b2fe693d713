"""The simulator's options, shared by `fleettui sim` and `fleettui demo`, and the SimConfig
they describe; a bad value is one line naming its flag (exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fleettui.cli.output import usage

if TYPE_CHECKING:  # the simulator (aiohttp, TLS) loads only when a command needs it
    from fleettui.sim.fleet import SimConfig


def add_sim_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clusters", type=int, default=2, metavar="N",
                   help="number of member clusters (default 2)")
    p.add_argument("--port", type=int, default=0,
                   help="host API port; members use the next N ports (default: any free)")
    p.add_argument("--speed", type=float, default=None,
                   help="schedules fire SPEED times faster than their cron (default 1, demo 8640)")
    p.add_argument("--sync-interval", type=float, default=None, metavar="SECONDS",
                   help="Kurator status poll period (real Kurator: 30; default 30, demo 1)")
    p.add_argument("--backup-seconds", type=float, default=3.0,
                   help="how long one simulated Velero backup runs (default 3)")
    p.add_argument("--failure-rate", type=float, default=0.0,
                   help="fraction of backups that end Failed or PartiallyFailed (default 0)")
    p.add_argument("--member-backup-seconds", action="append", default=[],
                   metavar="CLUSTER=SECONDS",
                   help="how long backups run on one member, e.g. kurator-member2=30; "
                        "repeatable")
    p.add_argument("--member-outcome", action="append", default=[], metavar="CLUSTER=PHASE",
                   help="how every backup on one member ends: Completed, PartiallyFailed, "
                        "Failed or FailedValidation (at once), e.g. kurator-member1=Failed; "
                        "repeatable")
    p.add_argument("--member-storage", action="append", default=[],
                   metavar="CLUSTER=STATE",
                   help="one member's backup storage location: Unavailable (Velero could not "
                        "reach the bucket) or ReadOnly (spec.accessMode); backups there end "
                        "FailedValidation as Velero's do, e.g. kurator-member2=Unavailable; "
                        "repeatable")
    p.add_argument("--bucket-sync", type=float, default=0.0, metavar="SECONDS",
                   help="Velero's sync of the shared bucket every SECONDS (real: 60): every "
                        "member then lists all members' backups, and a migrate reaches its "
                        "targets; 0 (default) turns it off")
    strict = p.add_argument_group("a cluster as strict as a real one")
    strict.add_argument("--token-ttl", type=float, default=0.0, metavar="SECONDS",
                        help="user tokens get 401 SECONDS after they were issued, as OIDC or "
                             "cloud tokens do (default 0: never); see --write-exec-kubeconfig")
    strict.add_argument("--namespace-user", action="append", default=None, metavar="NS",
                        help="a user ns-NS with rights inside namespace NS only (repeatable; "
                             "default: default and velero)")
    strict.add_argument("--unreachable-secrets", action="store_true",
                        help="every AttachedCluster secret names "
                             "https://<cluster>.kurator-system.svc.invalid:6443, an in-cluster "
                             "address the client cannot reach")
    strict.add_argument("--unreachable-secret", action="append", default=[], metavar="CLUSTER",
                        help="the same for one member (repeatable)")
    strict.add_argument("--bookmark-interval", type=float, default=None, metavar="SECONDS",
                        help="watch bookmarks every SECONDS (kube-apiserver: about 60; "
                             "default 60, demo 1)")
    strict.add_argument("--compact-interval", type=float, default=0.0, metavar="SECONDS",
                        help="drop history older than the previous tick every SECONDS, so old "
                             "watches and continue tokens get 410 (kube-apiserver "
                             "--etcd-compaction-interval: 300; default 0: off)")
    strict.add_argument("--max-inflight", type=int, default=0, metavar="N",
                        help="reads (and writes) beyond N at once get 429 with Retry-After "
                             "(kube-apiserver --max-requests-inflight: 400; default 0: off)")
    p.add_argument("--state", type=Path, help="load state from FILE and save it on exit")
    p.add_argument("--audit-log", type=Path, help="append every mutating request to FILE")


def sim_config(args: argparse.Namespace, demo: bool = False) -> SimConfig:
    from fleettui.sim.fleet import SimConfig

    if not 1 <= args.clusters <= 500:
        raise usage("--clusters", f"must be between 1 and 500 (got {args.clusters})")
    speed = args.speed if args.speed is not None else (8640.0 if demo else 1.0)
    sync = args.sync_interval if args.sync_interval is not None else (1.0 if demo else 30.0)
    config = SimConfig(clusters=args.clusters, port=args.port, speed=speed, sync_interval=sync,
                     backup_seconds=args.backup_seconds, failure_rate=args.failure_rate,
                     member_backup_seconds={k: _seconds(v, "--member-backup-seconds") for k, v
                                            in _pairs(args.member_backup_seconds,
                                                      "--member-backup-seconds").items()},
                     member_outcome=_outcomes(args.member_outcome),
                     member_storage=_storage(args.member_storage, args.clusters),
                     bucket_sync=_seconds(str(args.bucket_sync), "--bucket-sync"),
                     state=args.state, audit_log=args.audit_log)
    _strict_options(config, args, demo)
    return config


def _strict_options(config: SimConfig, args: argparse.Namespace, demo: bool) -> None:
    config.token_ttl = _seconds(str(args.token_ttl), "--token-ttl")
    if args.namespace_user is not None:
        config.namespace_users = [_namespace(ns) for ns in args.namespace_user]
    members = {f"kurator-member{i}" for i in range(1, args.clusters + 1)}
    for cluster in args.unreachable_secret:
        if cluster not in members:
            raise usage("--unreachable-secret", f"{cluster!r} is not a member; members are "
                        f"kurator-member1 … kurator-member{args.clusters}")
    config.unreachable_secrets = ["*"] if args.unreachable_secrets else list(
        args.unreachable_secret)
    bookmark = args.bookmark_interval
    config.bookmark_seconds = (1.0 if demo else 60.0) if bookmark is None else _seconds(
        str(bookmark), "--bookmark-interval")
    if config.bookmark_seconds <= 0:
        raise usage("--bookmark-interval", "must be more than 0 seconds")
    config.compact_interval = _seconds(str(args.compact_interval), "--compact-interval")
    if args.max_inflight < 0:
        raise usage("--max-inflight", f"must be 0 (no limit) or more (got {args.max_inflight})")
    config.max_inflight = args.max_inflight


def _namespace(ns: str) -> str:
    from fleettui.model.names import is_dns_label

    if not is_dns_label(ns):
        raise usage("--namespace-user", f"{ns!r} is not a namespace name (lower-case letters, "
                                        "digits and '-', at most 63)")
    return ns


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise usage(flag, f"expected CLUSTER=VALUE, got {value!r}")
        pairs[key.strip()] = rest.strip()
    return pairs


def _seconds(text: str, flag: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise usage(flag, f"{text!r} is not a number of seconds")
    return seconds


def _outcomes(values: list[str]) -> dict[str, str]:
    from fleettui.sim.controllers.velero import OUTCOMES

    pairs = _pairs(values, "--member-outcome")
    for phase in pairs.values():
        if phase not in OUTCOMES:
            raise usage("--member-outcome", f"{phase!r} is not one of "
                                            f"{', '.join(o for o in OUTCOMES if o)}")
    return pairs


def _storage(values: list[str], clusters: int) -> dict[str, str]:
    pairs = _pairs(values, "--member-storage")
    for cluster, state in pairs.items():
        if state not in ("Unavailable", "ReadOnly", "Available"):
            raise usage("--member-storage", f"{state!r} is not one of Unavailable, ReadOnly, "
                                            "Available")
        if cluster not in {f"kurator-member{i}" for i in range(1, clusters + 1)}:
            raise usage("--member-storage", f"{cluster!r} is not a member; members are "
                                            f"kurator-member1 … kurator-member{clusters}")
    return pairs
