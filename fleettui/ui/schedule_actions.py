"""`p` (pause/resume) and `R` (run now) on a schedule: the plan in a confirmation dialog that
says what is sent to which cluster and what then happens, then the steps in a worker thread and
one notification with each cluster's outcome. The plan is live/schedule_ops.py's, as the CLI's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App

from fleettui.live.schedule_ops import (
    PAUSE,
    RESUME,
    RUN_NOW,
    VERBS,
    PlanError,
    SchedulePlan,
    execute,
    plan,
    read_targets,
    result_lines,
    toggle_op,
)

if TYPE_CHECKING:
    from fleettui.live.session import Session


MAX_LISTED = 4  # clusters said one by one; beyond, one line for all (the dialog fits 80x24)
GENERIC = {PAUSE: "set spec.paused=true on its Velero Schedule",
           RESUME: "set spec.paused=false on its Velero Schedule",
           RUN_NOW: "create a Backup from its Velero Schedule's template, labelled "
                    "velero.io/schedule-name=<the Schedule>"}


def plan_text(p: SchedulePlan) -> Text:
    """Per cluster what is sent and what then happens (or why nothing is), then the notes.
    Text throughout: nothing from a cluster is read as markup."""
    body = Text()
    sending = [s for s in p.steps if s.sends]
    if len(sending) > MAX_LISTED:
        body.append(f"On each of {len(sending)} clusters: ", style="bold")
        body.append(f"{GENERIC[p.op]}. {sending[0].effect[:1].upper()}"
                    f"{sending[0].effect[1:].split('; ')[0]}.\n")
        body.append(names(s.cluster for s in sending) + "\n", style="dim")
    for step in p.steps:
        if step.sends and len(sending) > MAX_LISTED:
            continue
        body.append(f"{step.cluster}: ", style="bold")
        if step.sends:
            body.append(f"{step.action}. {step.effect[:1].upper()}{step.effect[1:]}.\n")
        else:
            body.append(f"{step.effect}.\n", style="dim")
    for note in p.notes:
        body.append(f"\n{note}", style="yellow")
    return body


def names(clusters: Iterable[str], most: int = 12) -> str:
    listed = list(clusters)
    more = f", … and {len(listed) - most} more" if len(listed) > most else ""
    return ", ".join(listed[:most]) + more


def title(p: SchedulePlan) -> str:
    clusters = p.clusters
    where = (f"on {clusters[0]}" if len(clusters) == 1 else
             f"on {len(clusters)} clusters" if clusters else "")
    return f"{VERBS[p.op]} {p.name} {where}?".replace("  ", " ")


@work(thread=True, group="mutate", exit_on_error=False)
def ask(app: App[int], session: Session, op: str | None, name: str,
        clusters: Sequence[str] = ()) -> None:
    """Read the target members' Schedules (a screen may not watch them), plan `op` (None:
    pause or resume, whichever `p` means for them), then ask on the UI thread."""
    from fleettui.kube.errors import KubeError

    ns = session.member_velero_namespace
    try:
        snap = read_targets(session, name, ns)
        op = op or toggle_op(snap, name, ns, clusters)
        found = plan(snap, op, name, ns, clusters)
    except (PlanError, KubeError) as e:
        app.call_from_thread(app.notify, e.message, severity="warning", markup=False,
                             title=f"{VERBS.get(op or '', 'Schedule')} {name}")
        return
    app.call_from_thread(confirm, app, session, found)


def confirm(app: App[int], session: Session, found: SchedulePlan) -> None:
    from fleettui.ui.screens.confirm import ConfirmScreen

    if not found.clusters:
        app.notify(plan_text(found).plain, title=f"{VERBS[found.op]} {found.name}",
                   severity="warning", markup=False)
        return

    def done(yes: bool | None) -> None:
        if yes:
            carry_out(app, session, found)

    label = "Run" if found.op == RUN_NOW else VERBS[found.op]
    app.push_screen(ConfirmScreen(title(found), plan_text(found), confirm_label=label), done)


@work(thread=True, group="mutate", exit_on_error=False)
def carry_out(app: App[int], session: Session, p: SchedulePlan) -> None:
    if getattr(app, "readonly", True):
        return
    result = execute(p, session.member)
    app.call_from_thread(app.notify, "\n".join(result_lines(p, result)),
                         title=f"{VERBS[p.op]} {p.name}",
                         severity="information" if result.ok else "error", timeout=10,
                         markup=False)  # cluster names and server messages, verbatim
