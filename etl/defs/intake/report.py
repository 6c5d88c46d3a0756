"""The validation report an official receives: verdict, counts and findings, for machines and people.

Renderers: `to_json()` for machines (stable keys, both languages' messages), `to_text(lang)` for a
terminal or an e-mail, `to_html(lang)` for a self-contained page (inline style, every string
escaped). None of them can print a value from the file: findings hold none (see findings.py).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Literal

from etl.defs.intake.findings import Finding
from etl.defs.intake.messages import LANGS, Lang, render

Verdict = Literal["accepted", "rejected"]
# People read the first findings; a file with thousands of bad rows needs fixing at the source,
# not a thousand-line e-mail. JSON always carries every finding.
MAX_LISTED = 300

_WORDS = {
    "es": {
        "accepted": "ACEPTADO",
        "rejected": "RECHAZADO",
        "title": "Validación del archivo",
        "errors": "Errores (deben corregirse para que el archivo se acepte)",
        "warnings": "Advertencias (no impiden aceptar el archivo; conviene revisarlas)",
        "notices": "Avisos",
        "none": "Sin observaciones.",
        "more": "… y {n} observaciones más (ver el informe JSON).",
        "counts": "Registros leídos: {read}; aceptados: {accepted}; duplicados idénticos descartados: {dropped}; errores: {errors}; advertencias: {warnings}.",
        "institution": "Institución",
        "period": "Período",
        "verdict": "Resultado",
        "file": "Archivo (SHA-256)",
    },
    "en": {
        "accepted": "ACCEPTED",
        "rejected": "REJECTED",
        "title": "File validation",
        "errors": "Errors (must be fixed for the file to be accepted)",
        "warnings": "Warnings (they do not stop the file being accepted; worth reviewing)",
        "notices": "Notices",
        "none": "Nothing to report.",
        "more": "… and {n} more findings (see the JSON report).",
        "counts": "Records read: {read}; accepted: {accepted}; identical duplicates dropped: {dropped}; errors: {errors}; warnings: {warnings}.",
        "institution": "Institution",
        "period": "Period",
        "verdict": "Verdict",
        "file": "File (SHA-256)",
    },
}


@dataclass(frozen=True, slots=True)
class ReportCounts:
    records_read: int = 0  # records in the file (blank rows and the TOTAL footer not counted)
    duplicates_dropped: int = 0
    records_accepted: int = 0  # records handed on (0 when rejected)
    rows_with_errors: int = 0


@dataclass(frozen=True)
class ValidationReport:
    institution: str
    period: str
    verdict: Verdict
    counts: ReportCounts
    findings: tuple[Finding, ...]
    content_sha256: str = ""
    record_label: str = "row"  # "row" for CSV/XLSX, "case" for MINNA's JSON
    lang: Lang = "es"

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def notices(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "notice")

    def messages(self, lang: Lang | None = None) -> list[str]:
        return [render(f, lang or self.lang, self.record_label) for f in self.findings]

    def to_dict(self) -> dict:
        return {
            "institution": self.institution,
            "period": self.period,
            "verdict": self.verdict,
            "content_sha256": self.content_sha256,
            "record_label": self.record_label,
            "counts": {
                "records_read": self.counts.records_read,
                "duplicates_dropped": self.counts.duplicates_dropped,
                "records_accepted": self.counts.records_accepted,
                "rows_with_errors": self.counts.rows_with_errors,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "notices": len(self.notices),
            },
            "findings": [
                {
                    "severity": f.severity,
                    "rule": f.rule,
                    "row": f.row,
                    "column": f.column,
                    "record": f.record,
                    "params": {k: list(v) if isinstance(v, tuple) else v for k, v in f.params.items()},
                    "message": {lang: render(f, lang, self.record_label) for lang in LANGS},
                }
                for f in self.findings
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def _summary(self, lang: Lang) -> tuple[str, str]:
        words = _WORDS[lang]
        head = f"{self.institution} {self.period}: {words[self.verdict]}"
        counts = words["counts"].format(
            read=self.counts.records_read,
            accepted=self.counts.records_accepted,
            dropped=self.counts.duplicates_dropped,
            errors=len(self.errors),
            warnings=len(self.warnings),
        )
        return head, counts

    def _sections(self) -> list[tuple[str, tuple[Finding, ...]]]:
        return [("errors", self.errors), ("warnings", self.warnings), ("notices", self.notices)]

    def to_text(self, lang: Lang | None = None) -> str:
        lang = lang or self.lang
        words = _WORDS[lang]
        head, counts = self._summary(lang)
        lines = [head, counts]
        listed = 0
        for key, items in self._sections():
            if not items:
                continue
            lines += ["", f"{words[key]}:"]
            for item in items:
                if listed >= MAX_LISTED:
                    break
                lines.append(f"  - {render(item, lang, self.record_label)}")
                listed += 1
        if not self.findings:
            lines += ["", words["none"]]
        if len(self.findings) > listed:
            lines.append(words["more"].format(n=len(self.findings) - listed))
        return "\n".join(lines) + "\n"

    def to_html(self, lang: Lang | None = None) -> str:
        lang = lang or self.lang
        words = _WORDS[lang]
        head, counts = self._summary(lang)
        esc = html.escape
        colour = "#1b7f3b" if self.accepted else "#b3261e"
        body = [
            f"<h1>{esc(words['title'])}</h1>",
            f'<p class="verdict" style="color:{colour}"><strong>{esc(head)}</strong></p>',
            "<table>",
            f"<tr><th>{esc(words['institution'])}</th><td>{esc(self.institution)}</td></tr>",
            f"<tr><th>{esc(words['period'])}</th><td>{esc(self.period)}</td></tr>",
            f"<tr><th>{esc(words['verdict'])}</th><td>{esc(words[self.verdict])}</td></tr>",
            f"<tr><th>{esc(words['file'])}</th><td><code>{esc(self.content_sha256)}</code></td></tr>",
            "</table>",
            f"<p>{esc(counts)}</p>",
        ]
        listed = 0
        for key, items in self._sections():
            if not items:
                continue
            body.append(f'<h2 class="{key}">{esc(words[key])}</h2><ul class="{key}">')
            for item in items:
                if listed >= MAX_LISTED:
                    break
                body.append(f"<li>{esc(render(item, lang, self.record_label))}</li>")
                listed += 1
            body.append("</ul>")
        if not self.findings:
            body.append(f"<p>{esc(words['none'])}</p>")
        if len(self.findings) > listed:
            body.append(f"<p>{esc(words['more'].format(n=len(self.findings) - listed))}</p>")
        style = (
            "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f1f1f}"
            "table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .8rem .2rem 0}"
            "h2.errors{color:#b3261e}h2.warnings{color:#8a5a00}li{margin:.25rem 0}code{font-size:.85em}"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{esc(words['title'])} — {esc(self.institution)} {esc(self.period)}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
        )
