"""The restore form's preview of what would come back (#14 item 3), against the simulator:
per cluster, the chosen Velero backup's resource list narrowed by the filters as they are
typed; each list is downloaded once, in a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleettui.ui.screens.restore_form import RestoreFormScreen
from tests.cli.test_cli_downloads import run_backup
from tests.cli.test_cli_restore_preview import APPS, captured
from tests.ui.test_app import SIZE, Sim, make_app, static_text, type_into, until
from tests.ui.test_restore_form import open_restore


def _line(fleet_lines: list[str]) -> str:
    """The CLI's preview lines of one cluster as the form puts them on one line."""
    return "; ".join(line.strip() for line in fleet_lines)


async def test_preview_counts_and_narrows_as_the_filter_is_typed(
        sim: Sim, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    runner, fleet, kubeconfig = sim
    run_backup(capsys, ["--kubeconfig", str(kubeconfig)], runner, fleet, "apps",
               "--include-namespaces", ",".join(APPS))
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "apps")
        await until(pilot, lambda: static_text(app, "#choices").count("Completed") == 2,
                    what="the Velero backup each cluster uses", timeout=40)
        for cluster in ("kurator-member1", "kurator-member2"):
            want = f"{cluster}: {_line(captured(fleet, cluster, APPS))}"
            await until(pilot, lambda w=want: w in static_text(app, "#comes-back"),  # type: ignore[misc]
                        what=f"{cluster}'s preview")
        lists = [k for k, status in fleet.objects.gets if k.endswith("resource-list.json.gz")]
        assert len(lists) == 2
        await type_into(pilot, "include_namespaces", "shop")
        want = f"kurator-member1: {_line(captured(fleet, 'kurator-member1', ['shop']))}"
        await until(pilot, lambda: want in static_text(app, "#comes-back"),
                    what="the preview narrowed to shop")
        assert "kurator-backup" not in static_text(app, "#comes-back")
        await type_into(pilot, "labels", "app=busybox")
        await until(pilot, lambda: "label selector is not applied" in
                    static_text(app, "#comes-back"), what="the label note")
        assert isinstance(app.screen, RestoreFormScreen)
        again = [k for k, status in fleet.objects.gets if k.endswith("resource-list.json.gz")]
        assert again == lists  # narrowed here, not downloaded again


async def test_a_member_whose_list_cannot_be_read_says_why_and_holds_up_no_other(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    run_backup(capsys, ["--kubeconfig", str(kubeconfig)], runner, fleet, "apps",
               "--include-namespaces", ",".join(APPS))
    runner.call(lambda: fleet.members[0].api.controls["downloads"]({"mode": "unprocessed"}))
    runner.call(lambda: fleet.members[1].api.controls["downloads"]({"mode": "missing"}))
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "apps")
        await until(pilot, lambda: "kurator-member2: ✗ the resource list of backup "
                    "kurator-member2-backup-default-apps: nothing was uploaded" in
                    static_text(app, "#comes-back"), what="member2's failure", timeout=40)
        # member1's request is still unanswered: said as such, and it holds nothing else up
        assert "kurator-member1: reading the resource list" in static_text(app, "#comes-back")
        screen = app.screen
        assert isinstance(screen, RestoreFormScreen)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RestoreFormScreen), what="back")

        def left() -> list[object]:
            return list(runner.call(lambda: fleet.members[0].store.items(
                "velero.io/downloadrequests", "velero")))
        # the fetch stopped at its next poll and deleted its request, well before 30 s
        await until(pilot, lambda: not left(), what="member1's fetch stopped", timeout=5)
