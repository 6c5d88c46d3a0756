"""End to end in headless Chromium against the portal served by uvicorn on a free local port.

Needs Debian's `chromium` and `chromium-driver` (/usr/bin/chromedriver); screenshots go to
test-artifacts/portal-*.png.
"""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from etl.portal.server import build_server

from .helpers import PASSWORD, REPO_ROOT, new_account, samples, shifted_date_minmujer

CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = REPO_ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live_portal(portal) -> Iterator[str]:
    server = build_server(portal.app, "127.0.0.1", _free_port(), configure_logging=False)
    thread = threading.Thread(target=server.run, name="portal-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(15)


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    if not (Path(CHROMEDRIVER).exists() and shutil.which("chromium")):
        raise FileNotFoundError("apt-get install -y chromium chromium-driver (needed by the portal's browser tests)")
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1280,900", "--lang=es",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def _shot(driver: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"portal-{name}.png"))


def _text(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def _wait_for_heading(driver: webdriver.Chrome, words: str) -> None:
    # A page being replaced may yield a heading that goes stale between finding and reading it.
    WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
        lambda d: words in d.find_element(By.TAG_NAME, "h1").text
    )


def test_an_official_sends_files_and_is_kept_to_their_institution(portal, live_portal: str, browser, tmp_path: Path) -> None:
    email = new_account(portal.engine, "MINMUJER")
    browser.get(live_portal + "/")
    assert browser.current_url.endswith("/ingresar")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    # Keyboard first: the first Tab reaches the skip link.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    _wait_for_heading(browser, "Enviar el archivo del mes")
    _shot(browser, "upload-form")

    Select(browser.find_element(By.ID, "period")).select_by_value("2025-06")
    browser.find_element(By.ID, "file").send_keys(str(samples() / "MINMUJER" / "2025-06.csv"))
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    _wait_for_heading(browser, "Resultado del envío")
    assert "ACEPTADO: el archivo de junio de 2025 fue recibido." in _text(browser)
    _shot(browser, "accepted")

    bad = tmp_path / "abril.csv"
    bad.write_bytes(shifted_date_minmujer(samples() / "MINMUJER" / "2025-04.csv", row=3, new_date="2025-05-17"))
    browser.get(live_portal + "/enviar")
    Select(browser.find_element(By.ID, "period")).select_by_value("2025-04")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    _wait_for_heading(browser, "Resultado del envío")
    text = _text(browser)
    assert "RECHAZADO" in text
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr:first-child td")]
    assert cells[0] == "3" and cells[1] == "fecha_primera_atencion"
    assert "dentro del mes declarado" in cells[2]
    _shot(browser, "rejected")

    browser.get(live_portal + "/historial/MP")
    _wait_for_heading(browser, "Sin acceso")
    assert "Su cuenta no tiene acceso a esta página." in _text(browser)
    _shot(browser, "refused")

    # On a phone: the history fits the screen width (its table scrolls inside its own region).
    browser.set_window_size(390, 844)
    browser.get(live_portal + "/historial/MINMUJER")
    _wait_for_heading(browser, "Historial de envíos")
    assert "Aceptado" in _text(browser) and "Rechazado" in _text(browser)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    _shot(browser, "phone-history")

    # English on request, kept in the session.
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    _wait_for_heading(browser, "Submission history")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


def test_the_server_logs_no_query_string_and_does_not_name_itself(live_portal: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with urllib.request.urlopen(live_portal + "/ingresar?email=ana.perez%40example.org&lang=en") as response:
        assert response.status == 200
        assert response.headers.get("server") is None
        assert "Log in" in response.read().decode()

    def access() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "etl.portal.access"]

    # The line is written once the response is complete, which may be just after the client has it.
    deadline = time.monotonic() + 5
    while not access() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert any(m.startswith("GET login_form 200") for m in access())
    assert "ana.perez" not in caplog.text and "example.org" not in caplog.text and "?" not in " ".join(access())
    assert not [r for r in caplog.records if r.name == "uvicorn.access"]
