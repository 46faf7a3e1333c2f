// PeaceKG query page: runs the editor's query against /sparql and draws the results.
// No libraries and no innerHTML: every value from the graph goes in through textContent,
// so a literal can never become markup.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const editor = document.getElementById("query");
  const runButton = document.getElementById("run");
  const errorBox = document.getElementById("query-error");
  const results = document.getElementById("results");
  const statusLine = document.getElementById("results-status");
  const body = document.getElementById("results-body");
  const resultDownloads = document.getElementById("downloads-results");
  const graphDownloads = document.getElementById("downloads-graph");
  const endpoint = form.dataset.endpoint || "/sparql";
  const baseIri = form.dataset.baseIri || "";
  const examples = JSON.parse(document.getElementById("example-texts").textContent || "{}");

  // Both kinds in one Accept header: the endpoint picks JSON for SELECT/ASK and Turtle for
  // CONSTRUCT/DESCRIBE, so the page never has to guess the query form from its text.
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  let inFlight = null;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // IRIs minted under the base are served by this server (issue 6), so link them locally.
  function localHref(iri) {
    if (baseIri && iri.startsWith(baseIri)) return "/" + iri.slice(baseIri.length);
    return iri;
  }

  // PREFIX declarations of the query, to show IRIs the way the user wrote them.
  function prefixesOf(text) {
    const found = [];
    const pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    let match;
    while ((match = pattern.exec(text)) !== null) found.push([match[1] || "", match[2]]);
    found.push(["xsd", XSD], ["rdf", RDF]);
    return found;
  }

  function shorten(iri, prefixes) {
    for (const [prefix, namespace] of prefixes) {
      const local = iri.slice(namespace.length);
      if (namespace && iri.startsWith(namespace) && /^[\w.-]*$/.test(local)) {
        return prefix + ":" + local;
      }
    }
    return iri;
  }

  function termNode(term, prefixes) {
    if (term.type === "uri") {
      const link = element("a", "iri", shorten(term.value, prefixes));
      link.href = localHref(term.value);
      link.title = term.value;
      return link;
    }
    if (term.type === "bnode") return element("span", "iri", "_:" + term.value);
    if (term.type === "triple") {
      const span = element("span", "iri");
      const v = term.value;
      span.append("<< ", termNode(v.subject, prefixes), " ", termNode(v.predicate, prefixes),
        " ", termNode(v.object, prefixes), " >>");
      return span;
    }
    const span = element("span", "literal", term.value);
    const lang = term["xml:lang"];
    if (lang) {
      span.lang = lang;
      span.append(" ", element("span", "hint hint-lang", "@" + lang));
    } else if (term.datatype && term.datatype !== XSD + "string") {
      const hint = element("span", "hint", shorten(term.datatype, prefixes));
      hint.title = term.datatype;
      span.append(" ", hint);
    }
    return span;
  }

  function table(data, prefixes) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const tableNode = element("table", "data");
    tableNode.id = "results-table";
    const headRow = element("tr");
    for (const name of vars) {
      const th = element("th", "", "?" + name);
      th.scope = "col";
      headRow.append(th);
    }
    tableNode.append(element("thead"));
    tableNode.tHead.append(headRow);
    const tbody = element("tbody");
    for (const binding of rows) {
      const tr = element("tr");
      for (const name of vars) {
        const td = element("td");
        if (binding[name]) td.append(termNode(binding[name], prefixes));
        tr.append(td);
      }
      tbody.append(tr);
    }
    tableNode.append(tbody);
    return tableNode;
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function setDownloads(box, text) {
    for (const link of box.querySelectorAll("a[data-format]")) {
      const params = new URLSearchParams({ query: text, format: link.dataset.format });
      link.href = endpoint + "?" + params.toString();
    }
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    editor.removeAttribute("aria-invalid");
  }

  // The endpoint's 400 body carries the parser's position (Oxigraph says "error at 3:18: ...";
  // "line 3, column 18" is read too); name it in words and put the caret there.
  function showError(status, message) {
    errorBox.textContent = "";
    const position =
      /\bat (?:line )?(\d+):(\d+)/.exec(message) || /\bline (\d+),? col(?:umn)? (\d+)/i.exec(message);
    let where = status === 400 ? "Query error" : "The server answered " + status;
    if (position) {
      const line = Number(position[1]);
      const column = Number(position[2]);
      where += " at line " + line + ", column " + column;
      const lines = editor.value.split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
      offset = Math.min(offset + Math.max(column - 1, 0), editor.value.length);
      editor.setSelectionRange(offset, offset);
    }
    errorBox.append(element("span", "where", where), message.trim());
    errorBox.hidden = false;
    editor.setAttribute("aria-invalid", "true");
  }

  async function run() {
    const text = editor.value;
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    clearError();
    runButton.disabled = true;
    runButton.textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { Accept: ACCEPT },
        body: new URLSearchParams({ query: text }),
        signal: controller.signal,
      });
      const contentType = response.headers.get("Content-Type") || "";
      const payload = await response.text();
      const elapsed = Math.round(performance.now() - started);
      if (!response.ok) {
        results.hidden = true;
        showError(response.status, payload);
        return;
      }
      body.textContent = "";
      resultDownloads.hidden = true;
      graphDownloads.hidden = true;
      const prefixes = prefixesOf(text);
      let summary;
      if (contentType.includes("json")) {
        const data = JSON.parse(payload);
        if (typeof data.boolean === "boolean") {
          summary = "Answer: " + (data.boolean ? "yes (true)" : "no (false)");
          body.append(element("p", "answer", String(data.boolean)));
        } else {
          summary = plural(data.results.bindings.length, "row");
          body.append(table(data, prefixes));
        }
        setDownloads(resultDownloads, text);
        resultDownloads.hidden = false;
      } else {
        summary = "Graph result (Turtle)";
        body.append(element("pre", "results-graph", payload));
        setDownloads(graphDownloads, text);
        graphDownloads.hidden = false;
      }
      // A row cap is announced by the endpoint; repeat it here rather than truncate silently.
      const limit = response.headers.get("X-PeaceKG-Row-Limit");
      if (limit) summary += " (stopped at the limit of " + limit + " rows)";
      statusLine.textContent = summary + " in " + elapsed + " ms";
      results.hidden = false;
    } catch (error) {
      if (error.name === "AbortError") return;
      results.hidden = true;
      showError(0, "Could not reach the endpoint: " + error.message);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        runButton.disabled = false;
        runButton.textContent = "Run";
      }
    }
  }

  function markCurrent(slug) {
    for (const link of document.querySelectorAll(".examples a[data-slug]")) {
      if (link.dataset.slug === slug) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  function loadExample(slug) {
    if (!(slug in examples)) return false;
    editor.value = examples[slug];
    markCurrent(slug);
    clearError();
    return true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  editor.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });

  // Example links are real links (/?example=slug); with a plain click we load in place and
  // keep the address shareable, while a middle or modified click opens a new tab as usual.
  for (const link of document.querySelectorAll(".examples a[data-slug]")) {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (!loadExample(link.dataset.slug)) return;
      event.preventDefault();
      history.pushState({ slug: link.dataset.slug }, "", link.href);
      editor.focus();
    });
  }

  window.addEventListener("popstate", () => {
    const slug = new URLSearchParams(location.search).get("example");
    if (slug) loadExample(slug);
  });
})();
