"""The query page in a real headless Chromium against a real server (issue 5).

A waitress server in a thread serves a built mini project on a free 127.0.0.1 port; Selenium
drives Debian's chromium: click an example, run it, read the table; break a query, read the
error. Skipped only where chromium is absent and ``CI`` is unset; in CI it must run.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from waitress.server import TcpWSGIServer, create_server

from peacekg.config import Settings
from peacekg.web import create_app
from tests.ui.conftest import EXAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EX = "http://example.org/mini#"


@pytest.fixture
def server(ui_settings: Settings) -> Iterator[str]:
    """The app under waitress on a port the OS picks; yields its base URL."""
    app = create_app(ui_settings)
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=2)
    assert isinstance(wsgi, TcpWSGIServer)  # one host, one socket
    thread = threading.Thread(target=wsgi.run, name="ui-test-server", daemon=True)
    thread.start()
    try:
        # effective_port is the port the OS chose for port=0; types-waitress lacks it.
        yield f"http://127.0.0.1:{wsgi.effective_port}"  # type: ignore[attr-defined]
    finally:
        wsgi.close()
        thread.join(timeout=10)


def _wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, 20)


def _example(driver: WebDriver, slug: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'.examples a[data-slug="{slug}"]')


def _run_with_ctrl_enter(driver: WebDriver) -> None:
    editor = driver.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)


def _table(driver: WebDriver) -> tuple[list[str], list[list[str]]]:
    table = driver.find_element(By.ID, "results-table")
    head = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    return head, rows


def test_click_an_example_run_it_and_read_the_rows(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    browser.get(server + "/?example=03-markup")
    editor = browser.find_element(By.ID, "query")
    assert editor.get_property("value") == EXAMPLES["03-markup.rq"]

    _example(browser, "01-rounds").click()
    assert editor.get_property("value") == EXAMPLES["01-rounds.rq"]
    assert browser.current_url == server + "/?example=01-rounds"
    assert _example(browser, "01-rounds").get_attribute("aria-current") == "true"

    browser.find_element(By.ID, "run").click()
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    assert _table(browser) == (
        ["?round", "?label", "?length"],
        [
            ["ex:round1", "Round 1", "7 xsd:integer"],
            ["ex:round2", "Round 2", "7 xsd:integer"],
        ],
    )
    links = browser.find_elements(By.CSS_SELECTOR, "#results-table tbody a")
    assert [a.get_attribute("href") for a in links] == [EX + "round1", EX + "round2"]
    status = browser.find_element(By.ID, "results-status").text
    assert re.fullmatch(r"2 rows in \d+ ms", status), status

    downloads = browser.find_elements(By.CSS_SELECTOR, "#downloads-results a")
    assert [a.text for a in downloads] == ["JSON", "XML", "CSV", "TSV"]
    csv = urllib.parse.urlsplit(downloads[2].get_attribute("href") or "")
    assert (csv.netloc, csv.path) == (urllib.parse.urlsplit(server).netloc, "/sparql")
    assert urllib.parse.parse_qs(csv.query) == {
        "query": [EXAMPLES["01-rounds.rq"]],
        "format": ["csv"],
    }
    assert not browser.find_element(By.ID, "downloads-graph").is_displayed()
    browser.save_screenshot(str(tmp_path / "query-results.png"))


def test_construct_and_ask_examples(server: str, browser: WebDriver) -> None:
    browser.get(server + "/")
    _example(browser, "02-part-of").click()
    _run_with_ctrl_enter(browser)
    pre = _wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#results-body pre"))
    )
    graph = Graph().parse(data=pre.text, format="turtle")
    part_of = URIRef(EX + "partOf")
    assert {(str(s), str(o)) for s, p, o in graph if p == part_of} == {
        (EX + "round1", EX + "istanbul"),
        (EX + "round2", EX + "istanbul"),
        (EX + "istanbul", EX + "talks"),
        (EX + "round1", EX + "talks"),
        (EX + "round2", EX + "talks"),
    }
    assert browser.find_element(By.ID, "results-status").text.startswith("Graph result")
    downloads = browser.find_elements(By.CSS_SELECTOR, "#downloads-graph a")
    assert [a.text for a in downloads] == ["Turtle", "N-Triples", "RDF/XML", "JSON-LD"]

    _example(browser, "03-markup").click()  # an ASK query
    _run_with_ctrl_enter(browser)
    _wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "results-status"), "Answer: yes (true)")
    )
    assert not browser.find_element(By.ID, "downloads-graph").is_displayed()
    assert browser.find_element(By.ID, "downloads-results").is_displayed()


def test_a_bad_query_shows_the_parser_message_and_position(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    browser.get(server + "/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE {\n  ?s ?p\n}")
    _run_with_ctrl_enter(browser)
    error = _wait(browser).until(ec.visibility_of_element_located((By.ID, "query-error")))
    where, message = error.text.splitlines()
    # The parser's own message, and its line:column put in words: the triple breaks on line 3.
    # (Oxigraph reports the column just after the token it could not use.)
    position = re.fullmatch(r"Query error at line 3, column (\d+)", where)
    assert position, where
    column = int(position[1])
    assert f" 3:{column}: expected" in message
    assert editor.get_attribute("aria-invalid") == "true"
    caret = len("SELECT * WHERE {\n  ?s ?p\n") + column - 1
    assert editor.get_property("selectionStart") == caret
    assert not browser.find_element(By.ID, "results").is_displayed()
    browser.save_screenshot(str(tmp_path / "query-error.png"))

    # Fixing the query clears the error and shows results again.
    editor.clear()
    editor.send_keys("SELECT ?n WHERE { VALUES ?n { 'a'@en } }")
    _run_with_ctrl_enter(browser)
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    assert _table(browser) == (["?n"], [["a @en"]])
    assert not error.is_displayed()
