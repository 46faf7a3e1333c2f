"""The query page in a real headless Chromium against a real server (issues 5 and 12).

A waitress server in a thread serves a built mini project on a free 127.0.0.1 port; Selenium
drives Debian's chromium: pick an example, run it, read the table; break a query, read the
error. Skipped only where chromium is absent and ``CI`` is unset; in CI it must run.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.ui.conftest import SHOWN

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EX = "http://example.org/mini#"


def wait(driver: WebDriver, seconds: float = 20) -> WebDriverWait[WebDriver]:
    """A wait for the page to catch up."""
    return WebDriverWait(driver, seconds)


def pick_example(driver: WebDriver, slug: str) -> None:
    """Open the examples menu and click ``slug``, as a reader would."""
    menu = driver.find_element(By.ID, "examples")
    if not menu.get_attribute("open"):
        menu.find_element(By.TAG_NAME, "summary").click()
    example(driver, slug).click()


def example(driver: WebDriver, slug: str) -> WebElement:
    """The link of one example in the menu."""
    return driver.find_element(By.CSS_SELECTOR, f'.examples a[data-slug="{slug}"]')


def editor_text(driver: WebDriver) -> str:
    """What the CodeMirror editor holds."""
    text = driver.execute_script("return window.peacekgEditor.getValue()")
    assert isinstance(text, str)
    return text


def set_query(driver: WebDriver, text: str) -> None:
    """Replace the editor's text (typing would meet the editor's auto-closed brackets)."""
    wait(driver).until(lambda d: d.execute_script("return Boolean(window.peacekgEditor)"))
    driver.execute_script("window.peacekgEditor.setValue(arguments[0])", text)


def run_with_ctrl_enter(driver: WebDriver) -> None:
    """Press Ctrl+Enter in the editor."""
    driver.find_element(By.CSS_SELECTOR, ".cm-content").send_keys(Keys.CONTROL, Keys.ENTER)


def table(driver: WebDriver) -> tuple[list[str], list[list[str]]]:
    """The results table's header and cells as text."""
    node = driver.find_element(By.ID, "results-table")
    head = [th.text for th in node.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in node.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    return head, rows


def test_click_an_example_run_it_and_read_the_rows(
    server: str, browser: WebDriver, screenshots: Path
) -> None:
    browser.get(server + "/?example=03-markup")
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".cm-editor")))
    assert editor_text(browser) == SHOWN["03-markup"]
    assert not browser.find_element(By.ID, "query").is_displayed()  # the editor replaced it

    pick_example(browser, "01-rounds")
    assert editor_text(browser) == SHOWN["01-rounds"]
    assert "# expect:" not in browser.find_element(By.CSS_SELECTOR, ".cm-content").text
    # The form still posts the textarea, kept in step with the editor.
    assert browser.find_element(By.ID, "query").get_property("value") == SHOWN["01-rounds"]
    assert browser.current_url == server + "/?example=01-rounds"
    assert example(browser, "01-rounds").get_attribute("aria-current") == "true"
    assert browser.find_element(By.ID, "examples-current").text == "Rounds and their labels"

    browser.find_element(By.ID, "run").click()
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    assert table(browser) == (
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
    assert urllib.parse.parse_qs(csv.query) == {"query": [SHOWN["01-rounds"]], "format": ["csv"]}
    assert not browser.find_element(By.ID, "downloads-graph").is_displayed()
    browser.save_screenshot(str(screenshots / "query-results.png"))


def test_construct_and_ask_examples(server: str, browser: WebDriver) -> None:
    browser.get(server + "/")
    pick_example(browser, "02-part-of")
    run_with_ctrl_enter(browser)
    pre = wait(browser).until(
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
    assert not browser.find_element(By.ID, "view-tabs").is_displayed()

    pick_example(browser, "03-markup")  # an ASK query
    run_with_ctrl_enter(browser)
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "results-status"), "Answer: yes (true)")
    )
    assert not browser.find_element(By.ID, "downloads-graph").is_displayed()
    assert browser.find_element(By.ID, "downloads-results").is_displayed()


def test_a_bad_query_shows_the_parser_message_and_position(
    server: str, browser: WebDriver, screenshots: Path
) -> None:
    browser.get(server + "/")
    set_query(browser, "SELECT * WHERE {\n  ?s ?p\n}")
    run_with_ctrl_enter(browser)
    error = wait(browser).until(ec.visibility_of_element_located((By.ID, "query-error")))
    where, message = error.text.splitlines()
    # The parser's own message, and its line:column put in words: the triple breaks on line 3.
    # (Oxigraph reports the column just after the token it could not use.)
    position = re.fullmatch(r"Query error at line 3, column (\d+)", where)
    assert position, where
    column = int(position[1])
    assert f" 3:{column}: expected" in message
    cm = browser.find_element(By.CSS_SELECTOR, ".cm-editor")
    assert cm.get_attribute("aria-invalid") == "true"
    caret = len("SELECT * WHERE {\n  ?s ?p\n") + column - 1
    assert browser.execute_script("return window.peacekgEditor.cursor()") == caret
    assert not browser.find_element(By.ID, "results-tools").is_displayed()
    assert browser.find_element(By.ID, "results-empty").is_displayed()
    browser.save_screenshot(str(screenshots / "query-error.png"))

    # Fixing the query clears the error and shows results again.
    set_query(browser, "SELECT ?n WHERE { VALUES ?n { 'a'@en } }")
    run_with_ctrl_enter(browser)
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    assert table(browser) == (["?n"], [["a @en"]])
    assert not error.is_displayed()
    assert cm.get_attribute("aria-invalid") is None


def test_a_query_without_prefix_lines_runs_in_the_page(server: str, browser: WebDriver) -> None:
    """``rdfs:`` and ``pkg:`` are predefined; a parse error on line 1 keeps its column."""
    browser.get(server + "/")
    set_query(browser, "SELECT ?c ?label WHERE { ?c a owl:Class ; rdfs:label ?label } ORDER BY ?c")
    run_with_ctrl_enter(browser)
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    _, rows = table(browser)
    assert ["pkg:Claim", "claim @en"] in rows
    assert ["ex:Round", "Round"] not in rows  # ex: is the mini project's own, not predefined
    assert [f"{EX}Round", "Round"] in rows
