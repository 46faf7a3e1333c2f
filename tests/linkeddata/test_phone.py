"""Every page reads on a phone (issue 12): at 390 px nothing scrolls sideways.

A real headless Chromium, its viewport set to a 390 px phone through the DevTools protocol
(a headless window does not go below 500 px), on the fixture graph served by a real waitress
server. Screenshots at 1400 and 390 px go to a temporary folder for a person to look at.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from peacekg.config import Settings
from peacekg.web import create_app
from tests.live import LiveServer, start_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = [
    "/",
    "/page/turkey",
    "/page/claim-nuland-us-uk-advised",
    "/timeline",
    "/timeline?year=2022&month=3",
    "/claims",
    "/index",
    "/dumps",
    "/ontology",
    "/void",
]


@pytest.fixture(scope="module")
def live(ld_settings: Settings) -> Iterator[LiveServer]:
    server, stop = start_server(create_app(ld_settings), threads=4)
    yield server
    stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def _width(browser: WebDriver, width: int) -> None:
    browser.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": width < 600},
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(
    browser: WebDriver, live: LiveServer, shots: Path, path: str
) -> None:
    with urllib.request.urlopen(live.url + path) as response:  # the page exists: not a 404's
        assert response.status == 200
    name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_") or "query"
    _width(browser, 1400)
    browser.get(live.url + path)
    assert browser.execute_script("return document.readyState") == "complete"
    browser.save_screenshot(str(shots / f"{name}-1400.png"))
    _width(browser, 390)
    browser.get(live.url + path)
    scroll, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    browser.save_screenshot(str(shots / f"{name}-390.png"))
    assert inner == 390
    assert scroll == inner, f"{path} is {scroll} px wide on a 390 px phone"
