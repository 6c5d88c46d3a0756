"""Accessibility checks that need no browser: contrast of every colour pair, labels, language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from etl.portal.app import STATIC_DIR

from .helpers import login, new_account, samples, shifted_date_minmujer, upload


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the classic just-passing grey


def test_every_text_colour_pair_reaches_aa_contrast() -> None:
    css = (Path(STATIC_DIR) / "portal.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [(name[3:], value, variables[f"bg-{name[3:]}"]) for name, value in variables.items() if name.startswith("fg-")]
    assert len(pairs) >= 15
    weak = [(name, round(contrast(fg, bg), 2)) for name, fg, bg in pairs if contrast(fg, bg) < 4.5]
    assert weak == []
    # The focus ring must stand out against the page and the dark header alike (non-text: 3:1).
    assert contrast(variables["focus"], variables["bg-header"]) >= 3
    assert contrast(variables["fg-page"], variables["bg-page"]) >= 3
    assert ":focus-visible" in css and "@media (max-width" in css


class _FormAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.html_lang: str | None = None
        self.has_viewport = self.has_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.has_viewport = True
        if tag == "main":
            self.has_main = True
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id") or "")


def _audit(html: str) -> _FormAudit:
    audit = _FormAudit()
    audit.feed(html)
    return audit


def test_every_page_has_a_language_labels_and_a_main_landmark(portal) -> None:
    client = portal.client()
    pages = [client.get("/ingresar").text]
    login(client, new_account(portal.engine, "MINMUJER"))
    bad = shifted_date_minmujer(samples() / "MINMUJER" / "2025-04.csv", row=2, new_date="2025-03-30")
    pages += [client.get("/enviar").text, client.get("/historial/MINMUJER").text, upload(client, "2025-04", bad, "b.csv").text]
    pages.append(client.get("/enviar?lang=en").text)
    for html in pages:
        audit = _audit(html)
        assert audit.html_lang in ("es", "en")
        assert audit.has_viewport and audit.has_main
        unlabelled = [c for c in audit.controls if c not in audit.labels]
        assert unlabelled == []
        assert 'class="skip" href="#main"' in html
    assert _audit(pages[-1]).html_lang == "en"
    # Buttons say what they do; the language switch says it in the language it switches to.
    assert 'lang="en" aria-label="Switch to English">English</button>' in pages[1]
    # Tables have header cells with scope for screen readers.
    assert '<th scope="col">Fila</th>' in pages[3] and '<th scope="row">' in pages[2]
