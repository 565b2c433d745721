"""A settlement statement as a PDF (SPEC §4.6: partner, period, lines with explanations, total, status, approver).

One A4 document per statement, printed by WeasyPrint from ``templates/settlements/statement_pdf.html``
and ``static/css/statement_pdf.css``, in the tenant's language (it is the tenant's document,
whoever downloads it), every amount through ``common.money.format_money``.

Chinese must render wherever Qudao runs, so the PDF's font ships with it: ``static/fonts/``
holds a GB2312 subset of Noto Sans CJK SC (made by ``bin/subset-cjk-font``, OFL). Characters
beyond it (a rare one in a company's name: 喆, 堃) fall back to the machine's own Noto Sans CJK
SC (Debian's ``fonts-noto-cjk``, which the Docker image and CI install): the same design, so the
page reads as one font. The subset first, not the system font: every PDF embeds a subset of the
font it uses, and the subset of a 20 MB collection (its glyph ids kept) weighs about 100 kB more
per PDF and takes longer to cut (``bench/pdf.py``). One face, regular.

Speed: the font configuration and the parsed stylesheets are made once per thread and reused
(WeasyPrint's ``FontConfiguration`` is not shared between threads), so a render is layout and
font subsetting only (``bench/pdf.py`` measures it).
"""

from __future__ import annotations

import atexit
import dataclasses
import re
import threading
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from common.money import format_money
from common.periods import Period
from incentives.explain import percent

from .models import FROZEN, LineKind, Statement, StatementLine, StatementStatus

TEMPLATE = "settlements/statement_pdf.html"
STYLESHEET = "css/statement_pdf.css"
SHIPPED_FONT = "fonts/QudaoCJKSC-Regular.otf"
SHIPPED_FAMILY = "Qudao CJK SC"
FALLBACK_FAMILIES = ("Noto Sans CJK SC",)  # for characters beyond GB2312, where the machine has it


# --- the font ----------------------------------------------------------------------------------


def font_css() -> str:
    """The font rules: the shipped subset through ``@font-face``, then the installed CJK fonts."""
    shipped = Path(finders.find(SHIPPED_FONT)).as_uri()
    families = ", ".join(f'"{family}"' for family in (SHIPPED_FAMILY, *FALLBACK_FAMILIES))
    return (
        f'@font-face {{ font-family: "{SHIPPED_FAMILY}"; src: url("{shipped}") format("opentype"); }}\n'
        f"html {{ font-family: {families}, sans-serif; font-weight: normal; }}"
    )


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_numbers_css() -> str:
    """“Page 2 of 3” / “第 2 页，共 3 页” in the active language, as the footer's CSS ``content``."""
    words = _("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", words):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return "@page { @bottom-right { content: " + " ".join(parts) + "; } }"


def _static_roots() -> list[Path]:
    return [Path(finders.find(STYLESHEET)).parent.parent.resolve()]


def _local_files_fetcher():
    """A WeasyPrint URL fetcher that reads Qudao's own static files and nothing else.

    A statement names no outside resource; the only fetch is the shipped font. Made once per
    thread: WeasyPrint's default fetcher builds an SSL context for every document.
    """
    from weasyprint.urls import URLFetcher

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            from urllib.parse import unquote, urlsplit

            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or not any(path.is_relative_to(root) for root in _static_roots()):
                raise ValueError(f"a statement PDF reads only Qudao's static files, not {url}")
            return super().fetch(url, headers)

    return LocalFilesOnly(allowed_protocols=("file",))


class _Printer(threading.local):
    """One WeasyPrint font configuration and parsed stylesheet per thread (and per language's footer)."""

    def __init__(self):
        self.url_fetcher = None
        self.font_config = None
        self.stylesheets: dict[str, list] = {}

    def setup(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        if self.font_config is None:
            self.url_fetcher = _local_files_fetcher()
            self.font_config = FontConfiguration()

    def forget(self) -> None:
        self.font_config, self.stylesheets = None, {}

    def stylesheets_for(self, language: str) -> list:
        from weasyprint import CSS

        if language not in self.stylesheets:
            with open(finders.find(STYLESHEET), encoding="utf-8") as source:
                rules = "\n".join((source.read(), font_css(), page_numbers_css()))
            self.stylesheets[language] = [CSS(string=rules, font_config=self.font_config, url_fetcher=self.url_fetcher)]
        return self.stylesheets[language]


_printer = _Printer()
# Let WeasyPrint clean its font folder while the interpreter still can, not in its teardown.
atexit.register(_printer.forget)


# --- what the document says --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DocumentLine:
    kind_label: str
    source: str
    basis: str
    rate: str
    amount: str
    explanation: str
    reason: str


@dataclasses.dataclass(frozen=True)
class StatementDocument:
    """Everything the PDF prints, as text for people (labels, formatted money and dates)."""

    language: str
    title: str
    tenant_name: str
    tenant_initial: str
    number: int
    generated_at: str
    partner_code: str
    partner_name: str
    tax_id: str
    period_label: str
    period_range: str
    currency: str
    status: str
    status_label: str
    is_approved: bool
    status_sentences: list[str]
    lines: list[DocumentLine]
    total: str


def source_names(sources: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The names of the programs and agreements that ``(kind, source_code)`` pairs name, two queries at most."""
    from incentives.models import ProfitShareAgreement, RebateProgram

    sources = set(sources)
    program_codes = {code for kind, code in sources if kind == LineKind.REBATE}
    agreement_codes = {code for kind, code in sources if kind in (LineKind.PROFIT_SHARE, LineKind.LOSS_SHARE)}
    names: dict[tuple[str, str], str] = {}
    if program_codes:
        for code, name in RebateProgram.objects.filter(code__in=program_codes).values_list("code", "name"):
            names[(LineKind.REBATE, code)] = name
    if agreement_codes:
        for code, name in ProfitShareAgreement.objects.filter(code__in=agreement_codes).values_list("code", "name"):
            names[(LineKind.PROFIT_SHARE, code)] = names[(LineKind.LOSS_SHARE, code)] = name
    from funds.payouts import fund_names

    for source, name in fund_names({code for kind, code in sources if kind == LineKind.MDF}).items():
        names[(LineKind.MDF, source)] = name
    return names


KIND_ORDER = {kind: position for position, kind in enumerate(LineKind.values)}  # rebates first, adjustments last


def in_print_order(lines: Iterable[StatementLine]) -> list[StatementLine]:
    """Rebates, profit share, loss share, funds, then people's adjustments; by source within a kind."""
    return sorted(lines, key=lambda line: (KIND_ORDER.get(line.kind, len(KIND_ORDER)), line.source_code, line.pk))


def _source_text(line: StatementLine, names: dict[tuple[str, str], str]) -> str:
    if not line.source_code:
        return "—"
    code = line.source_code
    if line.source_version is not None:
        code = _("%(code)s v%(version)s") % {"code": code, "version": line.source_version}
    name = names.get((line.kind, line.source_code))
    return f"{name} ({code})" if name else code


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else "—"


def _status_sentences(statement: Statement) -> list[str]:
    if statement.status == StatementStatus.APPROVED or statement.status == StatementStatus.PAID:
        sentences = [
            _("Approved by %(who)s on %(day)s.")
            % {"who": statement.approved_by or _("(a former member)"), "day": _when(statement.approved_at)}
        ]
        if statement.status == StatementStatus.PAID:
            paid = _("Paid on %(day)s.") % {"day": _when(statement.paid_at)}
            if statement.payment_reference:
                paid = _("Paid on %(day)s, payment reference %(reference)s.") % {
                    "day": _when(statement.paid_at),
                    "reference": statement.payment_reference,
                }
            sentences.append(paid)
        return sentences
    if statement.status == StatementStatus.DISPUTED:
        sentences = [_("Disputed — not approved.")]
        if statement.dispute_reason:
            sentences.append(_("The partner's reason: %(reason)s") % {"reason": statement.dispute_reason})
        return sentences
    return [_("Draft — not approved. The amounts may still change.")]


def statement_document(statement: Statement, *, names: dict[tuple[str, str], str] | None = None) -> StatementDocument:
    """The document of a statement, in the active language and time zone (the caller sets both).

    ``statement`` comes with ``partner``, ``approved_by`` and its ``lines`` loaded (see
    ``statements_for_print``); ``names`` are the sources' names, looked up when not given.
    """
    tenant = statement.tenant
    lines = in_print_order(statement.lines.all())
    if names is None:
        names = source_names((line.kind, line.source_code) for line in lines)
    period = Period.parse(statement.period)
    currency = statement.currency or tenant.currency
    title = _("Settlement statement %(partner)s %(period)s") % {
        "partner": statement.partner.code,
        "period": period.label,
    }
    return StatementDocument(
        language=translation.get_language() or tenant.language,
        title=title,
        tenant_name=tenant.name,
        tenant_initial=(tenant.name[:1] or "·").upper(),
        number=statement.pk,
        generated_at=formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        partner_code=statement.partner.code,
        partner_name=statement.partner.name,
        tax_id=statement.partner.tax_id,
        period_label=period.label,
        period_range=f"{period.start.isoformat()} – {period.end.isoformat()}",
        currency=currency,
        status=statement.status,
        status_label=statement.get_status_display(),
        is_approved=statement.status in FROZEN,
        status_sentences=_status_sentences(statement),
        lines=[
            DocumentLine(
                kind_label=line.get_kind_display(),
                source=_source_text(line, names),
                basis=format_money(line.basis, currency) if line.basis is not None else "—",
                rate=percent(line.rate_percent) if line.rate_percent is not None else "—",
                amount=format_money(line.amount, currency),
                explanation=line.explanation,
                reason=line.reason,
            )
            for line in lines
        ],
        total=format_money(statement.total if statement.total is not None else Decimal(0), currency),
    )


def statements_for_print(queryset):
    """Statements with everything the document prints, in a fixed number of queries."""
    return queryset.select_related("tenant", "partner", "approved_by").prefetch_related("lines")


# --- printing ----------------------------------------------------------------------------------


def render_document(document: StatementDocument) -> bytes:
    """The PDF of a document (WeasyPrint), with the tenant's language's footer."""
    from weasyprint import HTML

    _printer.setup()
    html = render_to_string(TEMPLATE, {"document": document})
    document_html = HTML(string=html, url_fetcher=_printer.url_fetcher)
    return document_html.write_pdf(
        stylesheets=_printer.stylesheets_for(document.language), font_config=_printer.font_config
    )


def statement_pdf(statement: Statement, *, names: dict[tuple[str, str], str] | None = None) -> bytes:
    """A statement's PDF, in its tenant's language and time zone, whoever asks for it."""
    tenant = statement.tenant
    with translation.override(tenant.language), timezone.override(tenant.zone):
        return render_document(statement_document(statement, names=names))


def statement_pdf_filename(statement: Statement) -> str:
    """``settlement-ACME-OWN-2026-Q1.pdf``: readable, and safe in a header and a zip."""
    stem = get_valid_filename(f"settlement-{statement.partner.code}-{statement.period}") or f"settlement-{statement.pk}"
    return f"{stem}.pdf"
