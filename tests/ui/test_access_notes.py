"""The access notes under the fleets table: members whose story is the same share one line,
which names each member's own name generically, never another member's."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from fleettui.live.session import Session
from fleettui.ui.rows import access_notes


def session_with_errors(errors: dict[str, str]) -> Session:
    return cast(Session, SimpleNamespace(access={}, member_errors=errors))


def test_members_with_the_same_failure_share_a_line_naming_no_one_elses_context() -> None:
    errors = {m: f"cannot reach https://{m}.kurator-system.svc.invalid:6443 for {m}."
              for m in ("edge-1", "edge-2", "edge-10")}
    errors["core"] = "forbidden: secrets \"core\" in default"
    notes = access_notes(session_with_errors(errors), list(errors))
    assert len(notes) == 2
    assert notes[0].startswith("✗ edge-1, edge-2, edge-10, each: cannot reach "
                               "https://<member>.kurator-system.svc.invalid:6443 for <member>.")
    assert "edge-1." not in notes[0].split(": ", 1)[1]
    assert notes[1].startswith('✗ core: forbidden: secrets "core" in default')


def test_a_name_inside_another_word_is_not_taken_for_the_member() -> None:
    errors = {m: f"{m}: via a-c, ba and {m}.svc refused {m}" for m in ("a", "b")}
    (note,) = access_notes(session_with_errors(errors), ["a", "b"])
    assert note.startswith("✗ a, b, each: <member>: via a-c, ba and <member>.svc refused "
                           "<member> (")
