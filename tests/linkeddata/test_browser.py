"""A real headless Chromium on a real ``peacekg serve``: from the timeline to an event, to a
claim about it, to the claim's source and to a claim disputing it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from peacekg.config import Settings
from peacekg.describe import select
from peacekg.store import EmbeddedStore
from tests.conftest import free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@dataclass(frozen=True)
class Path3:
    """An event, a claim about it, the claim's source and a claim disputing it."""

    event: str
    claim: str
    source: str
    disputing: str


def _walk(settings: Settings) -> Path3 | None:
    rows = select(
        EmbeddedStore.for_graphs(settings.store_path, settings.graphs),
        """SELECT ?event ?claim ?source ?other WHERE {
            ?event a pkg:Event ; pkg:earliestDate ?d .
            ?claim a pkg:Claim ; pkg:statedIn ?source .
            { ?claim pkg:about ?event } UNION { ?claim pkg:claimSubject ?event }
            UNION { ?claim pkg:claimObject ?event }
            ?other pkg:disputes ?claim .
        } ORDER BY ?event ?claim ?other LIMIT 1""",
    )
    if not rows:
        return None
    prefix = settings.base_iri + "id/"
    r = {k: v[len(prefix) :] for k, v in rows[0].items()}
    return Path3(r["event"], r["claim"], r["source"], r["other"])


def _serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    args = [
        sys.executable,
        "-m",
        "peacekg",
        "serve",
        "--ontology-dir",
        str(settings.ontology_dir),
        "--data-dir",
        str(settings.data_dir),
        "--shapes-file",
        str(settings.shapes_path),
        "--queries-dir",
        str(settings.queries_dir),
        "--build-dir",
        str(settings.build_dir),
        "--port",
        str(port),
    ]
    if settings.sources_dir is not None:
        args += ["--sources-dir", str(settings.sources_dir)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.communicate()[0].decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/index", timeout=2):
                return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    process.terminate()
    raise AssertionError("server did not come up within 90 s")


def _click(driver: WebDriver, css: str) -> None:
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _walk_in_browser(driver: WebDriver, settings: Settings, walk: Path3) -> None:
    port = free_port()
    server = _serve(settings, port)
    try:
        site = f"http://127.0.0.1:{port}"
        driver.get(f"{site}/timeline")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Timeline"
        _click(driver, f'table.timeline a[href="/page/{walk.event}"]')
        assert driver.current_url == f"{site}/page/{walk.event}"
        assert "Date" in driver.find_element(By.ID, "date").text

        _click(driver, f'#claims-about a[href="/page/{walk.claim}"]')
        assert driver.current_url == f"{site}/page/{walk.claim}"
        claim_title = driver.find_element(By.TAG_NAME, "h1").text
        assert driver.find_element(By.CSS_SELECTOR, "mark.quote-exact").text

        _click(driver, f'#source figcaption a[href="/page/{walk.source}"]')
        assert driver.current_url == f"{site}/page/{walk.source}"
        assert "Stated in this document" in driver.find_element(By.ID, "stated-here").text
        driver.back()
        assert driver.find_element(By.TAG_NAME, "h1").text == claim_title

        _click(driver, f'#stances li.stance-disputes a[href="/page/{walk.disputing}"]')
        assert driver.current_url == f"{site}/page/{walk.disputing}"
        stances = driver.find_element(By.ID, "stances").text
        assert f"disputes {claim_title}" in stances
    finally:
        server.terminate()
        server.communicate(timeout=15)


def test_browser_walk_on_the_fixture(browser: WebDriver, ld_settings: Settings) -> None:
    walk = _walk(ld_settings)
    assert walk == Path3(
        "istanbul-meeting-2022",
        "claim-nuland-us-uk-advised",
        "source-diesen-post",
        "claim-reply-advising-not-blocking",
    )
    _walk_in_browser(browser, ld_settings, walk)


def test_browser_walk_on_the_real_graph(browser: WebDriver, built_settings: Settings) -> None:
    walk = _walk(built_settings)
    assert walk is not None, "no event of data/ has a claim about it that another claim disputes"
    _walk_in_browser(browser, built_settings, walk)
