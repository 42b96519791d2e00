"""The step-by-step page in a real browser: headless Chromium driven through chromedriver's
W3C WebDriver HTTP API (plain JSON over urllib, no selenium). Skipped when Chromium,
chromedriver or Graphviz's dot is not installed."""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograd.cli.formula import build
from autograd.diagrams.steps import write_steps

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                       "(apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(CHROMEDRIVER is None, reason="chromedriver is not installed "
                       "(apt-get install chromium-driver)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed"),
]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"     # the W3C WebDriver element key
ARROW_LEFT, ARROW_RIGHT = "\ue012", "\ue014"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,900"]


class WebDriver:
    """The few WebDriver commands the test needs."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = ""

    def call(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        url = f"{self.base}{path}" if not self.session else \
            f"{self.base}/session/{self.session}{path}"
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise AssertionError(f"WebDriver {method} {path}: {e.read()[:500]!r}") from None

    def find(self, css: str) -> str:
        return self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def text(self, css: str) -> str:
        return self.call("GET", f"/element/{self.find(css)}/text")

    def displayed(self, css: str) -> bool:
        return self.call("GET", f"/element/{self.find(css)}/displayed")

    def click(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/click", {})

    def press(self, key: str) -> None:
        self.call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def open_browser(tmp_path):
    """chromedriver + a headless Chromium session; both stopped on the way out."""
    port = free_port()
    proc = subprocess.Popen([CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    driver = WebDriver(port)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if driver.call("GET", "/status").get("ready"):
                    break
            except (OSError, AssertionError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("chromedriver did not start within 15 s")
            time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM, "args": FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]}}}}
        req = urllib.request.Request(f"{driver.base}/session", json.dumps(caps).encode(),
                                     {"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            driver.session = json.loads(r.read())["value"]["sessionId"]
        yield driver
    finally:
        if driver.session:
            try:
                driver.call("DELETE", "")
            except (OSError, AssertionError):
                pass
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def viewport(driver: WebDriver, width: int, height: int) -> None:
    """Make the page's viewport exactly width x height CSS px (a projector: 1280 x 720)."""
    driver.call("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride",
                                              "params": {"width": width, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": False}})


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium for the module's tests (each start costs seconds)."""
    with open_browser(tmp_path_factory.mktemp("chromium")) as driver:
        yield driver


def test_the_page_steps_through_the_frames(browser, tmp_path):
    out, _ = build("1/(1+exp(-(w0*x0+w1*x1+w2)))",
                   {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    page = Path(write_steps(out, tmp_path / "steps")[-1])
    viewport(browser, 1400, 900)
    browser.call("POST", "/url", {"url": page.as_uri()})          # file://, no server

    assert browser.text("#counter") == "step 0 of 8"
    assert browser.displayed("#frame-0") and not browser.displayed("#frame-1")
    assert "start at the output" in browser.text("#caption")
    assert browser.call("GET", f"/element/{browser.find('#prev')}/enabled") is False

    browser.click("#next")
    assert browser.text("#counter") == "step 1 of 8"
    assert browser.displayed("#frame-1") and not browser.displayed("#frame-0")
    assert "-0.53 x 1.00 = -0.53" in browser.text("#frame-1")      # the product on the edge
    assert "step 1 of 8" in browser.text("#caption")

    browser.press(ARROW_RIGHT)
    assert browser.text("#counter") == "step 2 of 8" and browser.displayed("#frame-2")
    browser.press(ARROW_LEFT)
    browser.press(ARROW_LEFT)
    assert browser.text("#counter") == "step 0 of 8" and browser.displayed("#frame-0")
    browser.press(ARROW_LEFT)                                     # stays at the first frame
    assert browser.text("#counter") == "step 0 of 8"

    for _ in range(12):                                           # and at the last one
        browser.press(ARROW_RIGHT)
    assert browser.text("#counter") == "step 8 of 8" and browser.displayed("#frame-8")
    assert browser.call("GET", f"/element/{browser.find('#next')}/enabled") is False


def run_js(browser, script: str, *args):
    return browser.call("POST", "/execute/sync", {"script": script, "args": list(args)})


def test_the_page_fills_a_projector_and_its_text_is_readable(browser, tmp_path):
    """At 1280 x 720 the diagram fills the window below the controls, node text is at
    least 14 px tall, the caption appears once, and zoom (buttons, keys) and the
    following of the processed node work."""
    out, _ = build("1/(1+exp(-(w0*x0+w1*x1+w2)))",
                   {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    page = Path(write_steps(out, tmp_path / "steps")[-1])
    viewport(browser, 1280, 720)
    browser.call("POST", "/url", {"url": page.as_uri()})
    assert run_js(browser, "return [window.innerWidth, window.innerHeight]") == [1280, 720]
    stage = run_js(browser, "var r = document.querySelector('.cg-stage')"
                            ".getBoundingClientRect(); return [r.width, r.height, r.bottom]")
    assert stage[0] >= 1200 and stage[1] >= 500 and stage[2] <= 720     # fills, no scroll
    heights = run_js(browser, "return Array.from(document.querySelectorAll("
                              "'.cg-frame:not([hidden]) g.node text')).map("
                              "function (t) { return t.getBoundingClientRect().height; })")
    text_px = min(h for h in heights if h > 0)
    assert text_px >= 14, heights
    print(f"node text height at 1280 x 720: {text_px:.1f} px")
    body = browser.text("body")
    assert body.count("start at the output") == 1           # the caption once
    zoom = browser.text("[data-role=zoom]")
    browser.click("[data-role=zoom-in]")
    assert browser.text("[data-role=zoom]") != zoom
    browser.press("-")
    assert browser.text("[data-role=zoom]") == zoom
    browser.press("0")                                       # fit: the whole graph
    fitted = run_js(browser, "var s = document.querySelector('.cg-frame:not([hidden]) svg')"
                             ".getBoundingClientRect(), r = document.querySelector("
                             "'.cg-stage').getBoundingClientRect();"
                             "return [s.height <= r.height + 1, s.width <= r.width + 1]")
    assert fitted == [True, True]
    browser.press("1")
    for _ in range(5):                                       # the processed node stays in view
        browser.press(ARROW_RIGHT)
        seen = run_js(browser, "var h = document.querySelector('.cg-frame:not([hidden]) .hot')"
                               ".getBoundingClientRect(), r = document.querySelector("
                               "'.cg-stage').getBoundingClientRect(); return h.top >= r.top "
                               "&& h.bottom <= r.bottom && h.left >= r.left && "
                               "h.right <= r.right")
        assert seen is True
