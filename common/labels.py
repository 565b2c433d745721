"""One way to turn a stored code into the words a person reads, in the active language (issue 12).

Models show their own choices with ``get_FOO_display``; codes that travel without their model —
in an audit trail, a JSON summary, an API payload echoed on a page — are named here, by the kind
of code, and shown with ``{{ code|label:"partner_status" }}``.
"""

from __future__ import annotations

from functools import cache


@cache
def _choices() -> dict[str, dict[str, str]]:
    from partners.models import PartnerKind, PartnerStatus
    from tenancy.roles import Role

    return {
        "partner_status": dict(PartnerStatus.choices),
        "partner_kind": dict(PartnerKind.choices),
        "role": dict(Role.choices),
    }


def label(code: str | None, kind: str) -> str:
    """The label of ``code`` among the choices of ``kind``; the code itself when it has none."""
    if code in (None, ""):
        return "—"
    found = _choices().get(kind, {}).get(code)
    return str(found) if found is not None else str(code)
