"""Kubernetes name rules and the names Kurator derives for Velero objects."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from fleettui.model.errors import FieldError, FieldWarning

LABEL_MAX = 63
SUBDOMAIN_MAX = 253

_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SUGGEST_BAD_RE = re.compile(r"[^a-z0-9-]+")
_SUGGEST_BAD_DOTTED_RE = re.compile(r"[^a-z0-9.-]+")

VELERO_KINDS = ("backup", "restore", "migrate")


def _suggest(text: str, *, dots: bool, limit: int) -> str:
    """Best-effort valid name close to ``text`` (empty when nothing usable is left)."""
    bad = _SUGGEST_BAD_DOTTED_RE if dots else _SUGGEST_BAD_RE
    name = bad.sub("-", text.lower())
    name = re.sub(r"-{2,}", "-", name)
    if dots:
        name = re.sub(r"\.{2,}", ".", name)
        name = ".".join(part.strip("-") for part in name.split(".") if part.strip("-"))
    name = name[:limit].strip("-.")
    pattern = _SUBDOMAIN_RE if dots else _LABEL_RE
    return name if pattern.fullmatch(name) else ""


def _name_problem(text: str, *, dots: bool, limit: int, what: str) -> str | None:
    """Why ``text`` is not a valid name, with a fix hint; None when it is valid."""
    pattern = _SUBDOMAIN_RE if dots else _LABEL_RE
    if text == "":
        return f"{what} must not be empty"
    if len(text) <= limit and pattern.fullmatch(text):
        return None
    hint = _suggest(text, dots=dots, limit=limit)
    suffix = f'; try "{hint}"' if hint and hint != text else ""
    allowed = "lowercase letters, digits and '-'" + (" and '.'" if dots else "")
    if len(text) > limit:
        return f"{what} is {len(text)} characters, the limit is {limit}; shorten it{suffix}"
    if text != text.lower() and pattern.fullmatch(text.lower()):
        return f"{what} must be lowercase{suffix}"
    if not dots and "." in text:
        return f"{what} must not contain '.' (only {allowed}){suffix}"
    if not text[0].isascii() or not text[0].isalnum() or not text[-1].isascii() or \
            not text[-1].isalnum():
        return f"{what} must start and end with a lowercase letter or digit{suffix}"
    return f"{what} may contain only {allowed}{suffix}"


def validate_dns_label(text: str, field: str = "metadata.name", what: str = "name") -> str:
    """Check a DNS-1123 label (<=63, ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``); return it unchanged."""
    problem = _name_problem(text, dots=False, limit=LABEL_MAX, what=what)
    if problem is not None:
        raise FieldError(field, problem)
    return text


def validate_dns_subdomain(text: str, field: str = "metadata.name", what: str = "name") -> str:
    """Check a DNS-1123 subdomain (<=253, dot-separated labels); return it unchanged."""
    problem = _name_problem(text, dots=True, limit=SUBDOMAIN_MAX, what=what)
    if problem is not None:
        raise FieldError(field, problem)
    return text


def is_dns_label(text: str) -> bool:
    return len(text) <= LABEL_MAX and _LABEL_RE.fullmatch(text) is not None


def is_dns_subdomain(text: str) -> bool:
    return len(text) <= SUBDOMAIN_MAX and _SUBDOMAIN_RE.fullmatch(text) is not None


def suggest_name(text: str) -> str:
    """A valid DNS-1123 label derived from free text (empty if nothing usable remains)."""
    return _suggest(text, dots=False, limit=LABEL_MAX)


def velero_object_name(cluster: str, kind: str, namespace: str, name: str) -> str:
    """Name Kurator gives its Velero objects: ``<cluster>-<kind>-<namespace>-<name>``.

    Kurator neither truncates nor hashes it (Kurator pkg/fleet-manager/backup/shared.go,
    generateVeleroResourceName).
    """
    return f"{cluster}-{kind}-{namespace}-{name}"


def check_derived_name_length(clusters: Iterable[str], namespace: str, name: str,
                              kind: str = "backup", *,
                              scheduled: bool = False) -> list[FieldWarning]:
    """Warn for each cluster whose derived Velero object name exceeds 63 characters."""
    warnings: list[FieldWarning] = []
    for cluster in clusters:
        derived = velero_object_name(cluster, kind, namespace, name)
        if len(derived) <= LABEL_MAX:
            continue
        if scheduled:
            impact = ("it becomes the label value velero.io/schedule-name, which is limited to "
                      "63, so Velero cannot label the scheduled backups and Kurator never sees "
                      "a run")
        else:
            impact = ("Velero shortens it with a hash wherever it is used as a label value, "
                      "which makes objects hard to match")
        warnings.append(FieldWarning(
            "metadata.name",
            f'Velero object "{derived}" for cluster {cluster} is {len(derived)} characters '
            f"(over 63): {impact}; shorten the name by {len(derived) - LABEL_MAX} characters"))
    return warnings


def velero_label_value(value: str) -> str:
    """Velero's ``label.GetValidName``: keep <=63 bytes, else 57 bytes + 6 hex of sha256."""
    raw = value.encode("utf-8", errors="surrogatepass")
    if len(raw) <= LABEL_MAX:
        return value
    digest = hashlib.sha256(raw).hexdigest()
    # Go slices bytes; decoding with "ignore" only matters for non-ASCII input.
    return raw[:LABEL_MAX - 6].decode("utf-8", errors="ignore") + digest[:6]


def unique_name(base: str, now: datetime) -> str:
    """``<base>-YYYYMMDDhhmmss`` (UTC), trimmed so the result stays a valid DNS-1123 label."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    stamp = now.strftime("%Y%m%d%H%M%S")
    room = LABEL_MAX - len(stamp) - 1
    head = (suggest_name(base) or "backup")[:room].rstrip("-")
    return f"{head}-{stamp}"
