"""Creating and editing rebate programs and profit-share agreements, with versions (SPEC §4.4).

A statement line names the program (or agreement) code and the version it used. So editing one
whose latest version has paid out — any statement line, of any status, names its code and that
version — makes version n+1 and leaves the old one as it was; editing one that has not paid yet
changes its latest version in place. Each version records who made it, and who last changed it
in place. The code is what statement lines name: it can change only while nothing was paid
under it. One transaction each; the program's row is locked while it is edited.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from settlements.models import LineKind, StatementLine

from ..models import ProfitShareAgreement, ProfitShareVersion, RebateProgram, RebateProgramVersion
from ..validation import (
    AGREEMENT_TERM_FIELDS,
    PROGRAM_RULE_FIELDS,
    Problems,
    clean_agreement_terms,
    clean_program_rules,
)

CODE_MAX_LENGTH = 50
NAME_MAX_LENGTH = 200
IDENTITY_FIELDS = ("code", "name", "description")


@dataclasses.dataclass(frozen=True)
class Versioned:
    """What differs between programs and agreements; the editing itself is the same."""

    model: type[Model]
    version_model: type[Model]
    parent: str  # the version's foreign key to its program or agreement
    fields: tuple[str, ...]  # the versioned fields
    clean: Callable[[dict], dict]
    line_kinds: tuple[str, ...]  # the statement lines its code pays


PROGRAMS = Versioned(
    RebateProgram, RebateProgramVersion, "program", PROGRAM_RULE_FIELDS, clean_program_rules, (LineKind.REBATE,)
)
AGREEMENTS = Versioned(
    ProfitShareAgreement,
    ProfitShareVersion,
    "agreement",
    AGREEMENT_TERM_FIELDS,
    clean_agreement_terms,
    (LineKind.PROFIT_SHARE, LineKind.LOSS_SHARE),
)


def _paid_lines(kind: Versioned, code: str):
    return StatementLine.objects.filter(kind__in=kind.line_kinds, source_code=code)


def program_paid_out(version: RebateProgramVersion) -> bool:
    """Whether any statement line (draft, disputed, approved or paid) names this version of its program."""
    return _paid_lines(PROGRAMS, version.program.code).filter(source_version=version.number).exists()


def agreement_paid_out(version: ProfitShareVersion) -> bool:
    """Whether any statement line names this version of its agreement (profit or loss share)."""
    return _paid_lines(AGREEMENTS, version.agreement.code).filter(source_version=version.number).exists()


# --- checks -------------------------------------------------------------------------------------


def _clean_code(kind: Versioned, code: Any, problems: Problems, *, instance: Model | None = None) -> str | None:
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        problems.add("code", _("Give a code."))
        return None
    if len(text) > CODE_MAX_LENGTH:
        problems.add("code", _("A code has at most %(max)s characters.") % {"max": CODE_MAX_LENGTH})
        return None
    try:
        validate_slug(text)
    except ValidationError:
        problems.add("code", _("A code is letters, digits, hyphens and underscores only (such as Q-REBATE-2026)."))
        return None
    taken = kind.model.objects.filter(code__iexact=text)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        problems.add("code", _("The code “%(code)s” is taken.") % {"code": text})
        return None
    return text


def _clean_name(name: Any, problems: Problems) -> str | None:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        problems.add("name", _("Give a name."))
        return None
    if len(text) > NAME_MAX_LENGTH:
        problems.add("name", _("A name has at most %(max)s characters.") % {"max": NAME_MAX_LENGTH})
        return None
    return text


def _clean_terms(kind: Versioned, data: dict, problems: Problems) -> dict | None:
    try:
        return kind.clean(data)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                problems.add(field, message)
        return None


def _save(obj: Model, **kwargs) -> None:
    """Save; the race a uniqueness check cannot see becomes the same field error."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as error:
        raise ValidationError({"code": _("The code “%(code)s” is taken.") % {"code": obj.code}}) from error


def _values_of(kind: Versioned, version: Model) -> dict:
    return {field: getattr(version, field) for field in kind.fields}


def _canonical(kind: Versioned, version: Model) -> dict | None:
    """A stored version's terms in the form the checks give (None if they no longer pass)."""
    try:
        return kind.clean(_values_of(kind, version))
    except ValidationError:
        return None


# --- the two operations, for both kinds ---------------------------------------------------------


def _create(kind: Versioned, *, actor, code: str, name: str, description: str, terms: dict) -> Model:
    problems = Problems()
    code = _clean_code(kind, code, problems)
    name = _clean_name(name, problems)
    cleaned = _clean_terms(kind, terms, problems)
    problems.raise_if_any()
    parent = kind.model(code=code, name=name, description=(description or "").strip())
    _save(parent)
    version = kind.version_model(**{kind.parent: parent}, number=1, created_by=actor, **cleaned)
    version.full_clean(exclude=[kind.parent, "created_by", "changed_by"], validate_constraints=False)
    version.save()
    parent.latest = version
    return parent


def _update(kind: Versioned, *, actor, parent: Model, changes: dict[str, Any]) -> Model:
    unknown = set(changes) - {*IDENTITY_FIELDS, *kind.fields}
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    parent = kind.model.objects.select_for_update().get(pk=parent.pk)
    latest = kind.version_model.objects.filter(**{kind.parent: parent}).order_by("-number").first()
    problems = Problems()
    identity: dict[str, str] = {}
    if "code" in changes and changes["code"] != parent.code:
        code = _clean_code(kind, changes["code"], problems, instance=parent)
        if code is not None and code != parent.code:
            if _paid_lines(kind, parent.code).exists():
                problems.add(
                    "code",
                    _("Statements name the code “%(code)s”: it cannot change once anything was paid under it.")
                    % {"code": parent.code},
                )
            else:
                identity["code"] = code
    if "name" in changes:
        name = _clean_name(changes["name"], problems)
        if name is not None and name != parent.name:
            identity["name"] = name
    if "description" in changes and (changes["description"] or "").strip() != parent.description:
        identity["description"] = (changes["description"] or "").strip()
    merged = {**_values_of(kind, latest), **{field: changes[field] for field in kind.fields if field in changes}}
    cleaned = _clean_terms(kind, merged, problems)
    problems.raise_if_any()

    paid_out = _paid_lines(kind, parent.code).filter(source_version=latest.number).exists()
    if identity:
        for field, value in identity.items():
            setattr(parent, field, value)
        _save(parent, update_fields=[*identity, "updated_at"])
    if cleaned != _canonical(kind, latest):
        if paid_out:
            latest = kind.version_model(**{kind.parent: parent}, number=latest.number + 1, created_by=actor, **cleaned)
            latest.full_clean(exclude=[kind.parent, "created_by", "changed_by"], validate_constraints=False)
            latest.save()
        else:
            for field, value in cleaned.items():
                setattr(latest, field, value)
            latest.changed_by = actor
            latest.full_clean(exclude=[kind.parent, "created_by", "changed_by"], validate_constraints=False)
            latest.save(update_fields=[*cleaned, "changed_by", "updated_at"])
    parent.latest = latest
    return parent


# --- rebate programs ----------------------------------------------------------------------------


@transaction.atomic
def program_create(
    *,
    actor,
    code: str,
    name: str,
    description: str = "",
    basis: str,
    method: str,
    period_kind: str,
    brackets: Sequence[dict],
    tiers: Sequence[str] = (),
    categories: Sequence[str] = (),
    cap: Decimal | str | None = None,
    accelerator: dict | None = None,
    starts_on: datetime.date | str,
    ends_on: datetime.date | str | None = None,
) -> RebateProgram:
    """A new rebate program and its version 1, made by ``actor``; ``.latest`` is that version."""
    terms = {
        "basis": basis, "method": method, "period_kind": period_kind, "brackets": brackets, "tiers": tiers,
        "categories": categories, "cap": cap, "accelerator": accelerator, "starts_on": starts_on, "ends_on": ends_on,
    }  # fmt: skip
    return _create(PROGRAMS, actor=actor, code=code, name=name, description=description, terms=terms)


@transaction.atomic
def program_update(*, actor, program: RebateProgram, **changes: Any) -> RebateProgram:
    """Change a program's code, name, description or rules (any of them; the rest stay as they are).

    Rules changed after the latest version paid out make a new version (the old one stays, read
    only); before that, the latest version changes in place. Rules given unchanged change nothing.
    ``.latest`` of the answer is the version now in use.
    """
    return _update(PROGRAMS, actor=actor, parent=program, changes=changes)


# --- profit-share agreements --------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor,
    code: str,
    name: str,
    description: str = "",
    period_kind: str,
    rates: Sequence[dict],
    loss_share_percent: Decimal | str,
    starts_on: datetime.date | str,
    ends_on: datetime.date | str | None = None,
) -> ProfitShareAgreement:
    """A new profit-share agreement and its version 1, made by ``actor``; ``.latest`` is that version."""
    terms = {
        "period_kind": period_kind, "rates": rates, "loss_share_percent": loss_share_percent,
        "starts_on": starts_on, "ends_on": ends_on,
    }  # fmt: skip
    return _create(AGREEMENTS, actor=actor, code=code, name=name, description=description, terms=terms)


@transaction.atomic
def agreement_update(*, actor, agreement: ProfitShareAgreement, **changes: Any) -> ProfitShareAgreement:
    """Change an agreement's code, name, description or terms; versions as for programs."""
    return _update(AGREEMENTS, actor=actor, parent=agreement, changes=changes)
