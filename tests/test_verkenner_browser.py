"""The verkenner in a real headless browser: Voilà serves it, a participant picks another region.

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/install_browser.sh``) and the
Python packages ``selenium`` and ``voila``; without them the test is skipped with the reason.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM or not DRIVER,
                       reason="chromium en chromium-driver ontbreken; installeer ze met scripts/install_browser.sh"),
]
selenium = pytest.importorskip("selenium", reason="selenium ontbreekt; installeer met pip install -e '.[test]'")
pytest.importorskip("voila", reason="voila ontbreekt; installeer met pip install -e .")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,1600"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, process, timeout: float = 40) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"impactmonitor verkenner stopte met code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} antwoordde niet")


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("JPY_SESSION_NAME",)}
    process = subprocess.Popen(
        [sys.executable, "-m", "impactlib", "verkenner", "--port", str(port), "--no-browser", "--source", "snapshot"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_http(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="verkenner-chromium-")
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _text(driver, css: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text.strip() if found else ""


def _choose(driver, css: str, label: str) -> None:
    """Pick an option the way a user does: the select changes and fires 'change'."""
    select = driver.find_element(By.CSS_SELECTOR, f"{css} select")
    driver.execute_script(
        "const s = arguments[0]; const i = Array.from(s.options).findIndex(o => o.text === arguments[1]);"
        "if (i < 0) throw new Error('optie ontbreekt: ' + arguments[1]);"
        "s.selectedIndex = i; s.dispatchEvent(new Event('change', {bubbles: true}));",
        select, label,
    )


def test_choosing_a_region_changes_sentence_and_chart(server, browser):
    wait = WebDriverWait(browser, 45)
    browser.get(server)
    wait.until(lambda d: _text(d, ".verkenner-zin"))
    before = _text(browser, ".verkenner-zin")
    chart = browser.find_element(By.CSS_SELECTOR, "img.verkenner-grafiek").get_attribute("src")
    assert "Zaanstreek-Waterland" in before
    assert "OEFENDATA" in browser.find_element(By.TAG_NAME, "body").text
    assert "explorer.show" not in browser.page_source  # Voilà shows no code cells

    _choose(browser, ".verkenner-regio", "Twente")
    wait.until(lambda d: _text(d, ".verkenner-zin") != before)
    after = _text(browser, ".verkenner-zin")
    assert "Twente" in after and "Zaanstreek-Waterland" not in after
    assert browser.find_element(By.CSS_SELECTOR, "img.verkenner-grafiek").get_attribute("src") != chart
    assert "landelijk" in _text(browser, ".verkenner-oordeel")
