"""A real headless Chromium on a real ``peacekg serve``: from the timeline to an event, to a
claim about it, to the claim's source and to a claim disputing it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from peacekg.config import Settings
from peacekg.describe import select
from peacekg.store import EmbeddedStore
from tests.live import ServeProcess, serve_process

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


def _serve(settings: Settings) -> ServeProcess:
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
        "0",
    ]
    if settings.sources_dir is not None:
        args += ["--sources-dir", str(settings.sources_dir)]
    return serve_process(args, env=env)


def _click(driver: WebDriver, css: str) -> None:
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


@dataclass(frozen=True)
class Provenance:
    """What the event page of the walk must show of its statements' sources (issue 10)."""

    stated_property: str  # the label of a property a source states
    stated_document: str
    stated_quote: str
    inferred_property: str  # a property a curator inferred
    reason: str


def _check_sources(driver: WebDriver, expected: Provenance | None) -> None:
    """Every asserted statement of the page shows its document (quote on hover, footnote);
    with ``expected``, the exact document, quote and reason of two of them."""
    links = driver.find_elements(By.CSS_SELECTOR, "#statements td.provenance a.src-doc")
    assert links and all(link.get_attribute("title") for link in links)
    notes = driver.find_elements(By.CSS_SELECTOR, "#statements ol.sources li")
    assert notes and all(note.find_elements(By.CSS_SELECTOR, "q.passage") for note in notes)
    inferred = driver.find_elements(By.CSS_SELECTOR, "#statements tr.inferred .inferred-badge")
    assert inferred and {badge.text for badge in inferred} == {"inferred"}
    if expected is None:
        return
    rows = driver.find_elements(By.CSS_SELECTOR, "#statements tr")

    def row(label: str) -> WebElement:
        [found] = [
            r
            for r in rows
            if r.find_elements(By.CSS_SELECTOR, "td")
            and r.find_elements(By.CSS_SELECTOR, "td")[0].text == label
            and r.get_attribute("class") != "inferred"
        ]
        return found

    stated = row(expected.stated_property).find_element(By.CSS_SELECTOR, "a.src-doc")
    assert (stated.text, stated.get_attribute("title")) == (
        expected.stated_document,
        expected.stated_quote,
    )
    badge = row(expected.inferred_property).find_element(By.CSS_SELECTOR, ".inference-badge")
    assert (badge.text, badge.get_attribute("title")) == ("curator inference", expected.reason)
    # The footnote mark leads to the numbered source, which quotes the passage in full.
    note = row(expected.stated_property).find_element(By.CSS_SELECTOR, "a.src-note")
    target = note.get_attribute("href")
    assert target is not None
    _click(driver, f'#statements tr a.src-note[href="{target[target.index("#") :]}"]')
    listed = driver.find_element(By.CSS_SELECTOR, f"li{target[target.index('#') :]}")
    assert listed.find_element(By.CSS_SELECTOR, "q.passage").text == expected.stated_quote


def _walk_in_browser(
    driver: WebDriver, settings: Settings, walk: Path3, expected: Provenance | None = None
) -> None:
    server = _serve(settings)
    try:
        site = f"http://127.0.0.1:{server.port}"
        driver.get(f"{site}/timeline")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Timeline"
        _click(driver, f'table.timeline a[href="/page/{walk.event}"]')
        assert driver.current_url == f"{site}/page/{walk.event}"
        assert "Date" in driver.find_element(By.ID, "date").text
        _check_sources(driver, expected)

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
        server.stop()


def test_browser_walk_on_the_fixture(browser: WebDriver, ld_settings: Settings) -> None:
    walk = _walk(ld_settings)
    assert walk == Path3(
        "istanbul-meeting-2022",
        "claim-nuland-us-uk-advised",
        "source-diesen-post",
        "claim-reply-advising-not-blocking",
    )
    _walk_in_browser(
        browser,
        ld_settings,
        walk,
        Provenance(
            stated_property="produced pkg:produced = prov:generated",
            stated_document="Summary of the talks",
            stated_quote="by the end of March Russia and Ukraine negotiators produced the"
            " Istanbul Communiqué",
            inferred_property="date as stated",
            reason="'by the end of March' read as late March 2022 (21 to 31 March), after the"
            " first round of 28 February",
        ),
    )


def test_browser_walk_on_the_real_graph(browser: WebDriver, built_settings: Settings) -> None:
    walk = _walk(built_settings)
    assert walk is not None, "no event of data/ has a claim about it that another claim disputes"
    _walk_in_browser(browser, built_settings, walk)
