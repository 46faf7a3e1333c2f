"""Issue 12 in the real browser: results in view, the cap in words, each result view's exact
items, completion, history and share links, and no sideways scrolling on a phone.

Screenshots at 1400 and 390 px go to the session's temporary ``screenshots`` folder.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from peacekg.config import Settings
from tests.ui.conftest import SHOWN, serving
from tests.ui.test_browser import editor_text, pick_example, run_with_ctrl_enter, set_query, wait

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDTHS = (1400, 390)

TIMELINE = """\
#defaultView:Timeline
SELECT ?label ?start ?end WHERE {
  VALUES (?label ?start ?end) {
    ("Round 1" "2022-02-28"^^xsd:date "2022-02-28"^^xsd:date)
    ("Round 2" "2022-03-03"^^xsd:date "2022-03-07"^^xsd:date)
    ("Istanbul" "2022-03-29"^^xsd:date "2022-03-29"^^xsd:date)
  }
}"""

GRAPH = """\
PREFIX ex: <http://example.org/mini#>
SELECT ?part ?whole WHERE { ?part ex:partOf ?whole }"""

BARS = """\
SELECT ?side ?count WHERE {
  VALUES (?side ?count) { ("Russia" 3) ("Ukraine" 5) ("Turkey" 1) }
}"""

MAP = """\
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?place ?where WHERE {
  VALUES (?place ?where) {
    ("Istanbul" "Point(28.98 41.01)"^^geo:wktLiteral)
    ("Gomel" "Point(30.98 52.44)"^^geo:wktLiteral)
  }
}"""

MANY = """\
SELECT ?n WHERE {
  VALUES ?a { 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 }
  VALUES ?b { 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 }
  BIND(?a * 16 + ?b AS ?n)
}"""


def size(driver: WebDriver, width: int) -> None:
    """Resize the window so that the page itself is ``width`` CSS pixels wide."""
    driver.set_window_size(width, 900)
    inner = driver.execute_script("return window.innerWidth")
    driver.set_window_size(width + (width - inner), 900)


def no_sideways_scroll(driver: WebDriver) -> None:
    """The page is no wider than the window."""
    scroll, client = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"page is {scroll} px wide in a {client} px window"


def in_viewport(driver: WebDriver, css: str) -> bool:
    """Whether the element is wholly inside the visible part of the window."""
    inside = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;",
        css,
    )
    return bool(inside)


def shared(server: str, query: str, view: str) -> str:
    """A share link as the page makes it."""
    return server + "/?" + urllib.parse.urlencode({"query": query, "view": view})


def texts(driver: WebDriver, css: str) -> list[str]:
    """The text content of every element ``css`` matches (SVG text included)."""
    found = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css
    )
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_an_example_shows_its_first_rows_in_view(
    server: str, browser: WebDriver, screenshots: Path, width: int
) -> None:
    size(browser, width)
    browser.get(server + "/")
    pick_example(browser, "01-rounds")
    browser.find_element(By.ID, "run").click()
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    first_row = "#results-table tbody tr:first-child"
    wait(browser, 5).until(lambda d: in_viewport(d, first_row))
    status = browser.find_element(By.ID, "results-status")
    assert re.fullmatch(r"2 rows in \d+ ms", status.text), status.text
    assert in_viewport(browser, "#results-status")
    no_sideways_scroll(browser)
    browser.save_screenshot(str(screenshots / f"query-{width}.png"))


def test_a_capped_result_says_so_in_words(
    ui_settings: Settings, browser: WebDriver, screenshots: Path
) -> None:
    with serving(replace(ui_settings, max_rows=1)) as capped:
        request = urllib.request.Request(
            capped + "/sparql?" + urllib.parse.urlencode({"query": SHOWN["01-rounds"]}),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request) as response:
            message = response.headers["X-PeaceKG-Message"]
            assert response.headers["X-PeaceKG-Truncated"] == "true"
        browser.get(capped + "/?example=01-rounds")
        browser.find_element(By.ID, "run").click()
        cap = wait(browser).until(ec.visibility_of_element_located((By.ID, "results-cap")))
        assert cap.text == message
        assert "truncated to the first 1 rows" in cap.text
        assert re.fullmatch(r"1 row in \d+ ms", browser.find_element(By.ID, "results-status").text)
        browser.save_screenshot(str(screenshots / "query-capped.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_each_view_draws_the_exact_items(
    server: str, browser: WebDriver, screenshots: Path, width: int
) -> None:
    size(browser, width)
    # Timeline, chosen by the query's #defaultView comment: one bar per round, in date order,
    # the one lasting five days wider than the one-day rounds.
    browser.get(server + "/?" + urllib.parse.urlencode({"query": TIMELINE}))
    wait(browser).until(lambda d: d.execute_script("return Boolean(window.peacekgEditor)"))
    run_with_ctrl_enter(browser)
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "svg.timeline")))
    assert texts(browser, ".tl-label") == ["Round 1", "Round 2", "Istanbul"]
    widths = [float(w) for w in texts_attr(browser, ".tl-bar", "width")]
    assert len(widths) == 3 and widths[1] > widths[0] and widths[1] > widths[2]
    assert _selected(browser) == "Timeline"
    assert (browser.find_element(By.ID, "download-svg").get_attribute("href") or "").startswith(
        "blob:"
    )
    no_sideways_scroll(browser)
    browser.save_screenshot(str(screenshots / f"view-timeline-{width}.png"))
    # The same result as a table, through its tab.
    browser.find_element(By.CSS_SELECTOR, '#view-tabs [data-view="Table"]').click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#results-table tbody tr")) == 3
    assert not browser.find_element(By.ID, "downloads-picture").is_displayed()

    # Graph, from a share link: four places, five partOf links (asserted and inferred).
    browser.get(shared(server, GRAPH, "Graph"))
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "svg.graph")))
    assert sorted(texts(browser, ".graph-node text")) == [
        "ex:istanbul",
        "ex:round1",
        "ex:round2",
        "ex:talks",
    ]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".graph-edge")) == 5
    assert _selected(browser) == "Graph"
    no_sideways_scroll(browser)
    browser.save_screenshot(str(screenshots / f"view-graph-{width}.png"))

    # Bar chart: a label and a number per row, bars as long as their numbers.
    browser.get(shared(server, BARS, "BarChart"))
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "svg.barchart")))
    assert texts(browser, ".bar title") == ["Russia: 3", "Ukraine: 5", "Turkey: 1"]
    bars = [float(w) for w in texts_attr(browser, ".bar", "width")]
    assert bars[1] > bars[0] > bars[2] and abs(bars[1] / bars[2] - 5) < 0.01
    no_sideways_scroll(browser)
    browser.save_screenshot(str(screenshots / f"view-barchart-{width}.png"))

    # Map: one point per coordinate, Istanbul south-west of Gomel.
    browser.get(shared(server, MAP, "Map"))
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "svg.map")))
    points = browser.find_elements(By.CSS_SELECTOR, ".map-point")
    assert len(points) == 2
    (ix, iy), (gx, gy) = [
        (float(p.get_attribute("cx") or 0), float(p.get_attribute("cy") or 0)) for p in points
    ]
    assert ix < gx and iy > gy
    assert [t.split(" (")[0] for t in texts(browser, ".map-point title")] == ["Istanbul", "Gomel"]
    no_sideways_scroll(browser)
    browser.save_screenshot(str(screenshots / f"view-map-{width}.png"))

    # Views that do not fit the columns are offered disabled.
    tabs = browser.find_elements(By.CSS_SELECTOR, "#view-tabs button")
    assert {t.get_attribute("data-view"): t.is_enabled() for t in tabs} == {
        "Table": True,
        "Timeline": False,
        "Graph": False,
        "BarChart": False,
        "Map": True,
    }


def texts_attr(driver: WebDriver, css: str, name: str) -> list[str]:
    """One attribute of every element ``css`` matches."""
    return [e.get_attribute(name) or "" for e in driver.find_elements(By.CSS_SELECTOR, css)]


def _selected(driver: WebDriver) -> str:
    tab = driver.find_element(By.CSS_SELECTOR, '#view-tabs [aria-selected="true"]')
    return tab.get_attribute("data-view") or ""


def test_the_table_sorts_and_pages(server: str, browser: WebDriver) -> None:
    browser.get(server + "/")
    set_query(browser, MANY)
    run_with_ctrl_enter(browser)
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#results-table tbody tr")
    assert len(rows) == 100
    assert browser.find_element(By.ID, "pager-status").text == "rows 1–100 of 256"
    assert browser.find_element(By.ID, "results-status").text.startswith("256 rows in")
    header = browser.find_element(By.CSS_SELECTOR, "#results-table th button")
    header.click()
    header = browser.find_element(By.CSS_SELECTOR, "#results-table th button")
    header.click()  # the second click sorts descending
    first = browser.find_element(By.CSS_SELECTOR, "#results-table tbody td")
    assert first.text == "255 xsd:integer"
    th = browser.find_element(By.CSS_SELECTOR, "#results-table th")
    assert th.get_attribute("aria-sort") == "descending"
    browser.find_element(By.XPATH, "//nav[@class='pager']/button[text()='Next']").click()
    assert browser.find_element(By.ID, "pager-status").text == "rows 101–200 of 256"
    first = browser.find_element(By.CSS_SELECTOR, "#results-table tbody td")
    assert first.text == "155 xsd:integer"


def test_completion_offers_prefixes_and_ontology_terms(
    server: str, browser: WebDriver, screenshots: Path
) -> None:
    browser.get(server + "/")
    set_query(browser, "SELECT * WHERE { ?s a ")
    browser.execute_script("window.peacekgEditor.setCursor(1e9); window.peacekgEditor.focus()")
    content = browser.find_element(By.CSS_SELECTOR, ".cm-content")
    content.send_keys("pkg:Cl")
    box = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".cm-tooltip-autocomplete"))
    )
    options = [li.text for li in box.find_elements(By.CSS_SELECTOR, "li")]
    assert any(o.startswith("pkg:Claim") and "claim" in o[len("pkg:Claim") :] for o in options)
    assert any(o.startswith("pkg:ClaimStance") for o in options)
    assert not any(o.startswith("pkg:statement") for o in options)
    browser.save_screenshot(str(screenshots / "query-completion.png"))
    content.send_keys(Keys.ENTER)
    assert editor_text(browser) in {
        "SELECT * WHERE { ?s a pkg:Claim",
        "SELECT * WHERE { ?s a pkg:Claim }",
    }

    # A bare word offers the predefined prefixes.
    content.send_keys(" . ?s sko")
    box = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".cm-tooltip-autocomplete"))
    )
    assert any(li.text.startswith("skos:") for li in box.find_elements(By.CSS_SELECTOR, "li"))


def test_history_keeps_the_last_queries_and_the_share_link_reruns(
    server: str, browser: WebDriver
) -> None:
    browser.get(server + "/")
    browser.execute_script("localStorage.clear()")
    browser.get(server + "/")
    assert not browser.find_element(By.ID, "history").is_displayed()
    for slug in ("01-rounds", "03-markup"):
        pick_example(browser, slug)
        run_with_ctrl_enter(browser)
        wait(browser).until(ec.visibility_of_element_located((By.ID, "results-tools")))
        wait(browser).until(ec.text_to_be_present_in_element((By.ID, "results-status"), " ms"))
    browser.get(server + "/?example=02-part-of")
    history = browser.find_element(By.ID, "history")
    history.find_element(By.TAG_NAME, "summary").click()
    entries = history.find_elements(By.CSS_SELECTOR, ".history-entry .title")
    assert [e.text for e in entries] == ["Escaping <b>check</b>", "Rounds and their labels"]
    entries[1].click()
    assert editor_text(browser) == SHOWN["01-rounds"]

    # Share: the link carries query and view, and opening it runs the query in that view.
    set_query(browser, GRAPH)
    run_with_ctrl_enter(browser)
    wait(browser).until(ec.visibility_of_element_located((By.ID, "results-table")))
    browser.find_element(By.CSS_SELECTOR, '#view-tabs [data-view="Graph"]').click()
    browser.find_element(By.ID, "share").click()
    link = browser.find_element(By.ID, "share-url").get_property("value")
    assert isinstance(link, str)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query) == {
        "query": [GRAPH],
        "view": ["Graph"],
    }
    browser.get(link)
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "svg.graph")))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".graph-edge")) == 5
