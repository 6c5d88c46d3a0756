"""The static report: built from the cards' SQL, self-contained, and rendered by headless Chromium."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from etl.defs.dashboards.report import write_report
from etl.defs.dashboards.spec import load_spec
from tests.conftest import REPO_ROOT

CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync")


@pytest.fixture(scope="module")
def report_path(dashboard_engine, tmp_path_factory) -> Path:
    return write_report(dashboard_engine, tmp_path_factory.mktemp("informe") / "informe.html")


@pytest.fixture(scope="module")
def html(report_path: Path) -> str:
    return report_path.read_text(encoding="utf-8")


def test_the_report_is_one_self_contained_file_in_spanish(html):
    assert html.startswith("<!DOCTYPE html>") and '<html lang="es">' in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from anywhere
    assert "url(http" not in html and "@import" not in html
    for dashboard in load_spec().dashboards.values():
        assert f'id="{dashboard.key}"' in html and dashboard.name in html


def test_every_card_of_every_dashboard_is_in_the_report(html):
    spec = load_spec()
    for dashboard in spec.dashboards.values():
        for key in dashboard.card_keys:
            assert f'id="{dashboard.key}-{key}"' in html, key
            assert spec.cards[key].title in html


def test_withheld_cells_the_interval_and_coverage_are_shown(html, published):
    assert html.count(">Reservado<") > 10
    assert "Intervalo de confianza" in html and " a " in html
    assert "No reportado" in html and "Reporte en cero" in html
    assert "víctimas detectadas" in html.lower()


def test_the_map_is_drawn_from_the_geojson(html):
    paths = re.findall(r'<path class="departamento" data-iso="([^"]+)"', html)
    assert len(paths) == 18 and "PY-19" in paths and "PY-ASU" in paths
    assert "Reservado o no calculable" in html


def _driver(user_data_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMEDRIVER.exists(), "chromedriver missing: apt-get install -y chromium chromium-driver"
    options = webdriver.ChromeOptions()
    for flag in (*CHROME_FLAGS, f"--user-data-dir={user_data_dir}", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def test_chromium_renders_every_chart_and_the_map_without_console_errors(report_path: Path):
    spec = load_spec()
    with tempfile.TemporaryDirectory() as profile:
        driver = _driver(profile)
        try:
            driver.get(report_path.as_uri())
            assert driver.execute_script("return document.readyState") == "complete"
            problems = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
            assert problems == []
            sizes = driver.execute_script("""
                return Array.from(document.querySelectorAll('article.tarjeta')).map(a => {
                  const svg = a.querySelector(':scope > svg');
                  const box = svg ? svg.getBoundingClientRect() : null;
                  return {id: a.id, display: a.dataset.display, width: box ? box.width : 0,
                          height: box ? box.height : 0, marks: svg ? svg.querySelectorAll('path,rect,text').length : 0,
                          text: svg ? svg.textContent : ''};
                });""")
            charts = [s for s in sizes if s["display"] != "table"]
            expected = sum(1 for d in spec.dashboards.values() for k in d.card_keys if spec.cards[k].display != "table")
            assert len(charts) == expected
            for s in charts:
                assert s["width"] > 100 and s["height"] > 50, s
                # drawn marks, or (every cell withheld) the sentence saying so instead of an empty axis
                assert s["marks"] > 3 or "Todas las cifras de esta selección: reservado" in s["text"], s
            assert sum(s["marks"] > 3 for s in charts) >= len(charts) - 2
            departments = driver.execute_script("""
                return Array.from(document.querySelectorAll('svg.mapa path.departamento')).map(p => {
                  const b = p.getBoundingClientRect(); return b.width * b.height; });""")
            assert len(departments) == 18 and all(area > 0 for area in departments)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1280, min(int(height) + 100, 16000))
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "report.png"
            assert driver.save_screenshot(str(shot))
            assert shot.stat().st_size > 50_000
        finally:
            driver.quit()
