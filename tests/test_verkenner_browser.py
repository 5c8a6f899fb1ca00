"""The verkenner in a real headless browser: Voilà serves it, a participant picks another region,
looks at the view over time and its table, and downloads the view as CSV and as PNG.

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/install_browser.sh``) and the
Python packages ``selenium`` and ``voila``; without them the test is skipped with the reason.
"""

import shutil
import subprocess
import tempfile
import time

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

from mirror_fixtures import free_port  # noqa: E402
from serving import verkenner_process, wait_until_serving  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,1600"]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    with verkenner_process("--port", str(port), "--no-browser", "--source", "snapshot", stderr=subprocess.PIPE,
                           stop_timeout=15) as process:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, process, headers_only=True)
        yield url


@pytest.fixture(scope="module")
def downloads_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="verkenner-chromium-")
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads_dir),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads_dir)})
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
        "const s = arguments[0]; const plain = t => t.replace(/\\u00a0/g, ' ');"  # ipywidgets shows spaces as nbsp
        "const i = Array.from(s.options).findIndex(o => plain(o.text) === arguments[1]);"
        "if (i < 0) throw new Error('optie ontbreekt: ' + arguments[1] + ' in ' + Array.from(s.options).map(o => o.text).join(' | '));"
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
    # the page (impactlib/templates/voila_room) loads nothing from any other server ...
    origin = server.rstrip("/")
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(u.startswith(origin + "/") or u.startswith(("data:", "blob:")) for u in loaded), \
        [u for u in loaded if not u.startswith(origin)]
    assert "cdn.jsdelivr.net" not in browser.page_source
    # ... says in Dutch that it is loading, and its loading screen stands still
    assert "De verkenner wordt geladen" in browser.page_source and "Running verkenner" not in browser.page_source
    assert browser.execute_script(
        "const s = document.querySelector('#loading .spinner');"
        "return s === null || getComputedStyle(s).animationName === 'none';")

    _choose(browser, ".verkenner-regio", "Twente")
    wait.until(lambda d: _text(d, ".verkenner-zin") != before)
    after = _text(browser, ".verkenner-zin")
    assert "Twente" in after and "Zaanstreek-Waterland" not in after
    assert browser.find_element(By.CSS_SELECTOR, "img.verkenner-grafiek").get_attribute("src") != chart
    assert "landelijk" in _text(browser, ".verkenner-oordeel")


def _downloaded(folder, suffix: str, timeout: float = 20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not [p for p in folder.iterdir() if p.suffix == ".crdownload"]:
            return done[0]
        time.sleep(0.2)
    pytest.fail(f"geen {suffix}-bestand gedownload in {folder}")


def test_time_view_table_and_both_downloads(server, browser, downloads_dir):
    from impactlib.downloads import read_dutch_csv

    wait = WebDriverWait(browser, 45)
    browser.get(server)
    wait.until(lambda d: _text(d, ".verkenner-zin"))
    _choose(browser, ".verkenner-regio", "Zaanstreek-Waterland")
    wait.until(lambda d: "Zaanstreek-Waterland" in _text(d, ".verkenner-tabel"))
    assert "Nederland" in _text(browser, ".verkenner-tabel")  # the table under the chart of every view
    chart = browser.find_element(By.CSS_SELECTOR, "img.verkenner-grafiek").get_attribute("src")

    _choose(browser, ".verkenner-vergelijking", "In de tijd (sinds 2019)")
    wait.until(lambda d: "1e halfjaar 2019" in _text(d, ".verkenner-tabel"))
    table = _text(browser, ".verkenner-tabel")
    assert "Nederland" in table and "*" in table  # the national line, provisional periods marked
    assert "Bron: CBS" in table and "OEFENDATA" in table
    assert browser.find_element(By.CSS_SELECTOR, "img.verkenner-grafiek").get_attribute("src") != chart
    assert "sinds" in _text(browser, ".verkenner-oordeel") or "verandering" in _text(browser, ".verkenner-oordeel")

    browser.find_element(By.CSS_SELECTOR, "a.verkenner-download-csv").click()
    csv_file = _downloaded(downloads_dir, ".csv")
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data
    head, frame, foot = read_dutch_csv(data)
    assert "Zaanstreek-Waterland" in head[0] and "OEFENDATA" in head[1]
    assert frame["Periode"].iloc[0] == "1e halfjaar 2019" and any(c.startswith("Nederland") for c in frame.columns)
    assert any(line.startswith("Bron: CBS") and "CC BY 4.0" in line for line in foot)

    browser.find_element(By.CSS_SELECTOR, "a.verkenner-download-png").click()
    png_file = _downloaded(downloads_dir, ".png")
    assert png_file.read_bytes().startswith(b"\x89PNG")
    assert png_file.stem == csv_file.stem  # one view, two files
