// PeaceKG query page: runs the editor's query against /sparql and draws the result views
// (table, timeline, graph, bar chart, map). The editor is CodeMirror 6 from vendor/; without
// it the plain textarea still works. No innerHTML: every value from the graph goes in through
// textContent or an attribute, so a literal can never become markup.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const textarea = document.getElementById("query");
  const runButton = document.getElementById("run");
  const errorBox = document.getElementById("query-error");
  const results = document.getElementById("results");
  const statusLine = document.getElementById("results-status");
  const capLine = document.getElementById("results-cap");
  const emptyNote = document.getElementById("results-empty");
  const tools = document.getElementById("results-tools");
  const body = document.getElementById("results-body");
  const tabs = document.getElementById("view-tabs");
  const resultDownloads = document.getElementById("downloads-results");
  const graphDownloads = document.getElementById("downloads-graph");
  const pictureDownloads = document.getElementById("downloads-picture");
  const shareButton = document.getElementById("share");
  const shareBox = document.getElementById("share-box");
  const shareUrl = document.getElementById("share-url");
  const endpoint = form.dataset.endpoint || "/sparql";
  const baseIri = form.dataset.baseIri || "";
  const examples = JSON.parse(document.getElementById("example-texts").textContent || "{}");
  const predefined = JSON.parse(document.getElementById("prefixes").textContent || "{}");

  // Both kinds in one Accept header: the endpoint picks JSON for SELECT/ASK and Turtle for
  // CONSTRUCT/DESCRIBE, so the page never has to guess the query form from its text.
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  const SVGNS = "http://www.w3.org/2000/svg";
  const PAGE_SIZE = 100;
  const HISTORY_KEY = "peacekg.query-history";
  const HISTORY_SIZE = 20;
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short",
    "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map((t) => XSD + t));
  const DATES = new Set(["date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"]
    .map((t) => XSD + t));
  let inFlight = null;
  let current = null; // {data, prefixes, text, view, columns}

  // --- the editor: CodeMirror when its bundle loaded, else the textarea itself ------------
  const editor = window.PeaceKGEditor
    ? window.PeaceKGEditor.create(textarea, {
      prefixes: predefined, termsUrl: form.dataset.terms, onRun: () => run(),
    })
    : {
      getValue: () => textarea.value,
      setValue: (text) => { textarea.value = text; },
      setCursor: (offset) => textarea.setSelectionRange(offset, offset),
      cursor: () => textarea.selectionStart,
      focus: () => textarea.focus(),
      setInvalid: (invalid) => {
        if (invalid) textarea.setAttribute("aria-invalid", "true");
        else textarea.removeAttribute("aria-invalid");
      },
    };
  window.peacekgEditor = editor; // for the page tests and the console

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgElement(tag, attrs, text) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // IRIs minted under the base are served by this server (issue 6), so link them locally.
  function localHref(iri) {
    if (baseIri && iri.startsWith(baseIri)) return "/" + iri.slice(baseIri.length);
    return iri;
  }

  // The query's PREFIX declarations first, then the server's predefined prefixes.
  function prefixesOf(text) {
    const found = [];
    const pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    let match;
    while ((match = pattern.exec(text)) !== null) found.push([match[1] || "", match[2]]);
    for (const [name, iri] of Object.entries(predefined)) found.push([name, iri]);
    // Longest namespace first, so pkga: is not shown as pkg:...
    return found.sort((a, b) => b[1].length - a[1].length);
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

  function termText(term, prefixes) {
    if (!term) return "";
    if (term.type === "uri") return shorten(term.value, prefixes);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
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

  function plural(count, word) {
    return count.toLocaleString("en") + " " + word + (count === 1 ? "" : "s");
  }

  // --- what the columns hold, and so which views fit ---------------------------------------
  function isNumber(term) {
    return term && term.type === "literal" && NUMERIC.has(term.datatype) && isFinite(term.value);
  }
  function isDate(term) {
    return term && term.type === "literal" && DATES.has(term.datatype) &&
      !isNaN(dateValue(term));
  }
  function dateValue(term) {
    let value = term.value;
    if (/^-?\d{4}$/.test(value)) value += "-01-01";
    else if (/^-?\d{4}-\d{2}$/.test(value)) value += "-01";
    return Date.parse(value.length === 10 ? value + "T00:00:00Z" : value);
  }
  function point(term) {
    if (!term || term.type !== "literal") return null;
    const match = /^\s*(?:<[^>]*>\s*)?Point\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)/i.exec(term.value);
    if (!match || (term.datatype && term.datatype !== WKT)) return null;
    return { lon: Number(match[1]), lat: Number(match[2]) };
  }

  function columnsOf(data) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const kind = {};
    for (const name of vars) {
      const terms = rows.map((r) => r[name]).filter(Boolean);
      if (!terms.length) kind[name] = "empty";
      else if (terms.every(isDate)) kind[name] = "date";
      else if (terms.every(isNumber)) kind[name] = "number";
      else if (terms.every((t) => point(t))) kind[name] = "point";
      else if (terms.every((t) => t.type === "uri")) kind[name] = "iri";
      else kind[name] = "text";
    }
    const of = (k) => vars.filter((n) => kind[n] === k);
    const lat = vars.find((n) => /^lat(itude)?$/i.test(n) && kind[n] === "number");
    const lon = vars.find((n) => /^(lon|long|lng|longitude)$/i.test(n) && kind[n] === "number");
    return {
      vars, kind, dates: of("date"), numbers: of("number"), iris: of("iri"),
      texts: of("text"), points: of("point"), lat, lon,
    };
  }

  // A readable name for the row's value of `name`: its ?nameLabel column when there is one.
  function labelOf(row, name, prefixes) {
    const label = row[name + "Label"];
    if (label) return label.value;
    return termText(row[name], prefixes);
  }

  function viewsFor(columns) {
    const views = { Table: true };
    views.Timeline = columns.dates.length > 0;
    views.Graph = columns.iris.length >= 2;
    views.BarChart = columns.numbers.length > 0 && columns.vars.length >= 2;
    views.Map = columns.points.length > 0 || Boolean(columns.lat && columns.lon);
    return views;
  }

  function defaultViewOf(text) {
    const match = /^\s*#\s*defaultView\s*:\s*(\w+)/im.exec(text);
    return match ? match[1] : "";
  }

  // --- table: sortable by any column, paged -----------------------------------------------
  function compareTerms(a, b) {
    if (!a || !b) return a ? -1 : b ? 1 : 0;
    if (isNumber(a) && isNumber(b)) return Number(a.value) - Number(b.value);
    if (isDate(a) && isDate(b)) return dateValue(a) - dateValue(b);
    return a.value.localeCompare(b.value, "en", { numeric: true });
  }

  function tableView(state) {
    const { data, prefixes } = state;
    const vars = data.head.vars || [];
    const wrap = element("div", "table-view");
    const scroll = element("div", "results-scroll");
    const tableNode = element("table", "data");
    tableNode.id = "results-table";
    const headRow = element("tr");
    const sort = state.sort || { by: null, descending: false };
    let order = data.results.bindings.map((_, i) => i);
    if (sort.by) {
      const rows = data.results.bindings;
      order.sort((i, j) => compareTerms(rows[i][sort.by], rows[j][sort.by]) || i - j);
      if (sort.descending) order.reverse();
    }
    for (const name of vars) {
      const th = element("th");
      th.scope = "col";
      const button = element("button", "sort", "?" + name);
      button.type = "button";
      button.title = "Sort by ?" + name;
      if (sort.by === name) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      button.addEventListener("click", () => {
        state.sort = { by: name, descending: sort.by === name && !sort.descending };
        state.page = 0;
        draw();
      });
      th.append(button);
      headRow.append(th);
    }
    tableNode.append(element("thead"));
    tableNode.tHead.append(headRow);
    const tbody = element("tbody");
    const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
    const page = Math.min(state.page || 0, pages - 1);
    for (const index of order.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)) {
      const binding = data.results.bindings[index];
      const tr = element("tr");
      for (const name of vars) {
        const td = element("td");
        if (binding[name]) td.append(termNode(binding[name], prefixes));
        tr.append(td);
      }
      tbody.append(tr);
    }
    tableNode.append(tbody);
    scroll.append(tableNode);
    wrap.append(scroll);
    if (pages > 1) {
      const pager = element("nav", "pager");
      pager.setAttribute("aria-label", "Result pages");
      const previous = element("button", "button", "Previous");
      const next = element("button", "button", "Next");
      previous.type = next.type = "button";
      previous.disabled = page === 0;
      next.disabled = page === pages - 1;
      previous.addEventListener("click", () => { state.page = page - 1; draw(); });
      next.addEventListener("click", () => { state.page = page + 1; draw(); });
      const where = element("span", "muted", "rows " + (page * PAGE_SIZE + 1).toLocaleString("en") +
        "–" + Math.min((page + 1) * PAGE_SIZE, order.length).toLocaleString("en") + " of " +
        order.length.toLocaleString("en"));
      where.id = "pager-status";
      pager.append(previous, where, next);
      wrap.append(pager);
    }
    return wrap;
  }

  // --- pictures: every view draws one SVG as wide as the results pane ------------------------
  function paneWidth() {
    return Math.max(280, Math.floor(body.clientWidth || results.clientWidth || 600));
  }

  function svgRoot(width, height, className) {
    return svgElement("svg", {
      class: "view-svg " + className, width, height, viewBox: `0 0 ${width} ${height}`,
      role: "img", xmlns: SVGNS, "font-family": "system-ui, sans-serif", "font-size": "12",
    });
  }

  function clip(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function note(text) {
    return element("p", "muted view-note", text);
  }

  // Timeline: one lane per row with a date, a bar from its earliest to its latest date.
  function timelineView(state) {
    const { data, prefixes, columns } = state;
    const [startVar, endVar] = columns.dates;
    const labelVar = columns.texts[0] || columns.iris[0];
    const items = [];
    for (const row of data.results.bindings) {
      if (!row[startVar]) continue;
      let start = dateValue(row[startVar]);
      let end = endVar && row[endVar] ? dateValue(row[endVar]) : start;
      if (end < start) [start, end] = [end, start];
      const label = labelVar ? labelOf(row, labelVar, prefixes) : row[startVar].value;
      const dates = endVar && row[endVar] && row[endVar].value !== row[startVar].value
        ? row[startVar].value + " – " + row[endVar].value : row[startVar].value;
      items.push({ start, end, label, dates, iri: row[labelVar] && row[labelVar].type === "uri" ? row[labelVar].value : null });
    }
    items.sort((a, b) => a.start - b.start || a.end - b.end);
    const width = paneWidth();
    const lane = 22;
    const top = 28;
    const height = top + items.length * lane + 8;
    const svg = svgRoot(width, height, "timeline");
    const min = Math.min(...items.map((i) => i.start));
    let max = Math.max(...items.map((i) => i.end)) + 86400000;
    const day = 86400000;
    if (max - min < day) max = min + day;
    const pad = (max - min) * 0.02;
    const x = (t) => 8 + ((t - min + pad) / (max - min + 2 * pad)) * (width - 16);
    // Axis ticks: years, or months when the span is short.
    const axis = svgElement("g", { class: "tl-axis" });
    const spanYears = (max - min) / (365.25 * day);
    const first = new Date(min);
    const ticks = [];
    if (spanYears > 2) {
      const step = Math.max(1, Math.ceil(spanYears / 8));
      for (let y = first.getUTCFullYear(); Date.UTC(y, 0, 1) <= max; y += step) ticks.push([Date.UTC(y, 0, 1), String(y)]);
    } else {
      const months = Math.max(1, Math.ceil((spanYears * 12) / 8));
      for (let m = first.getUTCMonth(), y = first.getUTCFullYear(); Date.UTC(y, m, 1) <= max; m += months) {
        const t = Date.UTC(y, m, 1);
        const d = new Date(t);
        ticks.push([t, d.toLocaleString("en", { month: "short", timeZone: "UTC" }) + " " + d.getUTCFullYear()]);
      }
    }
    for (const [t, text] of ticks) {
      if (t < min - pad) continue;
      axis.append(svgElement("line", { x1: x(t), x2: x(t), y1: 18, y2: height, stroke: "#d9dce2" }));
      axis.append(svgElement("text", { x: x(t) + 3, y: 13, fill: "#5a6272" }, text));
    }
    svg.append(axis);
    items.forEach((item, index) => {
      const y = top + index * lane;
      const g = svgElement("g", { class: "tl-item" });
      const x1 = x(item.start);
      const w = Math.max(6, x(item.end + day) - x1);
      const bar = svgElement("rect", { class: "tl-bar", x: x1, y, width: w, height: lane - 8, rx: 3, fill: "#1f5fa8" });
      bar.append(svgElement("title", {}, item.label + " (" + item.dates + ")"));
      g.append(bar);
      const text = clip(item.label, 48);
      const room = width - (x1 + w) - 6;
      const labelX = room > text.length * 6.5 ? x1 + w + 4 : Math.max(4, x1 - 4);
      const anchor = room > text.length * 6.5 ? "start" : "end";
      const label = svgElement("text", { class: "tl-label", x: labelX, y: y + lane - 11, "text-anchor": anchor, fill: "#1d2330" }, text);
      if (anchor === "end" && labelX - text.length * 6.5 < 0) {
        label.setAttribute("x", x1 + 2);
        label.setAttribute("text-anchor", "start");
        label.setAttribute("fill", "#1d2330");
      }
      g.append(label);
      svg.append(g);
    });
    return svg;
  }

  // Graph: nodes are the IRIs of the first two IRI columns, an edge per row linking them.
  function graphView(state) {
    const { data, prefixes, columns } = state;
    const [fromVar, toVar] = columns.iris;
    const nodes = new Map();
    const edges = new Map();
    const node = (row, name) => {
      const iri = row[name].value;
      if (!nodes.has(iri)) nodes.set(iri, { iri, label: labelOf(row, name, prefixes), x: 0, y: 0, vx: 0, vy: 0 });
      return nodes.get(iri);
    };
    for (const row of data.results.bindings) {
      if (!row[fromVar] || !row[toVar]) continue;
      const a = node(row, fromVar);
      const b = node(row, toVar);
      edges.set(a.iri + " " + b.iri, [a, b]);
    }
    const list = [...nodes.values()];
    const width = paneWidth();
    const height = Math.max(320, Math.min(720, 120 + list.length * 12));
    // A few hundred steps of a plain force layout, started on a circle: the same picture
    // for the same result every time.
    list.forEach((n, i) => {
      const angle = (2 * Math.PI * i) / list.length;
      n.x = width / 2 + (width / 3) * Math.cos(angle);
      n.y = height / 2 + (height / 3) * Math.sin(angle);
    });
    const k = Math.sqrt((width * height) / Math.max(list.length, 1)) * 0.6;
    for (let step = 0; step < 300 && list.length < 400; step += 1) {
      for (const a of list) {
        a.vx = 0; a.vy = 0;
        for (const b of list) {
          if (a === b) continue;
          const dx = a.x - b.x, dy = a.y - b.y;
          const d2 = Math.max(dx * dx + dy * dy, 1);
          a.vx += (dx / d2) * k * k * 0.05; a.vy += (dy / d2) * k * k * 0.05;
        }
      }
      for (const [a, b] of edges.values()) {
        const dx = b.x - a.x, dy = b.y - a.y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 1);
        const f = ((d - k) / d) * 0.05;
        a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      }
      const cool = 1 - step / 300;
      for (const n of list) {
        n.vx += (width / 2 - n.x) * 0.01; n.vy += (height / 2 - n.y) * 0.01;
        n.x = Math.min(width - 40, Math.max(40, n.x + Math.max(-20, Math.min(20, n.vx)) * cool));
        n.y = Math.min(height - 20, Math.max(20, n.y + Math.max(-20, Math.min(20, n.vy)) * cool));
      }
    }
    const svg = svgRoot(width, height, "graph");
    const defs = svgElement("defs");
    const marker = svgElement("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "16", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.append(svgElement("path", { d: "M0,0 L10,5 L0,10 z", fill: "#8a93a3" }));
    defs.append(marker);
    svg.append(defs);
    for (const [a, b] of edges.values()) {
      const line = svgElement("line", { class: "graph-edge", x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#8a93a3", "stroke-width": 1.2, "marker-end": "url(#arrow)" });
      line.append(svgElement("title", {}, a.label + " → " + b.label));
      svg.append(line);
    }
    for (const n of list) {
      const link = svgElement("a", { class: "graph-node", href: localHref(n.iri) });
      link.append(svgElement("circle", { cx: n.x, cy: n.y, r: 7, fill: "#1f5fa8", stroke: "#fff", "stroke-width": 1.5 }));
      // Labels of nodes in the right part go to their left, so they stay inside the picture.
      const left = n.x > width * 0.6;
      link.append(svgElement("text", { x: left ? n.x - 10 : n.x + 10, y: n.y + 4, fill: "#1d2330", "text-anchor": left ? "end" : "start" }, clip(n.label, 32)));
      link.append(svgElement("title", {}, n.iri));
      svg.append(link);
    }
    return svg;
  }

  // Bar chart: one bar per row, its label the first other column, its length the number.
  function barView(state) {
    const { data, prefixes, columns } = state;
    const valueVar = columns.numbers[columns.numbers.length - 1];
    const labelVar = columns.vars.find((n) => n !== valueVar && !n.endsWith("Label") && columns.kind[n] !== "number") ||
      columns.vars.find((n) => n !== valueVar);
    const rows = data.results.bindings.filter((r) => r[valueVar]);
    const width = paneWidth();
    const lane = 24;
    const labelWidth = Math.min(260, Math.floor(width * 0.4));
    const height = rows.length * lane + 10;
    const svg = svgRoot(width, height, "barchart");
    const max = Math.max(...rows.map((r) => Number(r[valueVar].value)), 0);
    const min = Math.min(...rows.map((r) => Number(r[valueVar].value)), 0);
    const span = max - min || 1;
    const room = width - labelWidth - 60;
    const zero = labelWidth + ((0 - min) / span) * room;
    rows.forEach((row, index) => {
      const value = Number(row[valueVar].value);
      const y = 5 + index * lane;
      const label = labelVar ? labelOf(row, labelVar, prefixes) : String(index + 1);
      const g = svgElement("g", { class: "bar-item" });
      g.append(svgElement("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end", fill: "#1d2330" }, clip(label, Math.floor(labelWidth / 7))));
      const w = (Math.abs(value) / span) * room;
      const bar = svgElement("rect", { class: "bar", x: value < 0 ? zero - w : zero, y: y + 3, width: Math.max(w, 1), height: lane - 8, fill: "#1f5fa8" });
      bar.append(svgElement("title", {}, label + ": " + row[valueVar].value));
      g.append(bar);
      g.append(svgElement("text", { x: (value < 0 ? zero : zero + w) + 4, y: y + 15, fill: "#5a6272" }, row[valueVar].value));
      svg.append(g);
    });
    return svg;
  }

  // Map: the points on a plain longitude/latitude grid fitted to them (no tiles: offline).
  function mapView(state) {
    const { data, prefixes, columns } = state;
    const labelVar = columns.texts[0] || columns.iris[0];
    const points = [];
    for (const row of data.results.bindings) {
      let p = null;
      if (columns.points.length) p = point(row[columns.points[0]]);
      else if (row[columns.lat] && row[columns.lon]) p = { lat: Number(row[columns.lat].value), lon: Number(row[columns.lon].value) };
      if (p) points.push({ ...p, label: labelVar ? labelOf(row, labelVar, prefixes) : "" });
    }
    const width = paneWidth();
    const height = Math.round(Math.min(width * 0.6, 520));
    const svg = svgRoot(width, height, "map");
    let [w, e] = [Math.min(...points.map((p) => p.lon)), Math.max(...points.map((p) => p.lon))];
    let [s, n] = [Math.min(...points.map((p) => p.lat)), Math.max(...points.map((p) => p.lat))];
    const margin = Math.max((e - w) * 0.15, (n - s) * 0.15, 1);
    w -= margin; e += margin; s -= margin; n += margin;
    const scale = Math.min((width - 20) / (e - w), (height - 20) / (n - s));
    const x = (lon) => 10 + (lon - w) * scale + ((width - 20) - (e - w) * scale) / 2;
    const y = (lat) => 10 + (n - lat) * scale + ((height - 20) - (n - s) * scale) / 2;
    svg.append(svgElement("rect", { x: 0, y: 0, width, height, fill: "#eef3fa" }));
    const step = Math.max(1, Math.pow(10, Math.floor(Math.log10(Math.max(e - w, n - s)))) / 2);
    for (let lon = Math.ceil(w / step) * step; lon <= e; lon += step) {
      svg.append(svgElement("line", { x1: x(lon), x2: x(lon), y1: 0, y2: height, stroke: "#d9dce2" }));
      svg.append(svgElement("text", { x: x(lon) + 2, y: height - 4, fill: "#5a6272", "font-size": 10 }, lon.toFixed(1) + "°"));
    }
    for (let lat = Math.ceil(s / step) * step; lat <= n; lat += step) {
      svg.append(svgElement("line", { x1: 0, x2: width, y1: y(lat), y2: y(lat), stroke: "#d9dce2" }));
      svg.append(svgElement("text", { x: 2, y: y(lat) - 2, fill: "#5a6272", "font-size": 10 }, lat.toFixed(1) + "°"));
    }
    for (const p of points) {
      const g = svgElement("g", { class: "map-item" });
      const dot = svgElement("circle", { class: "map-point", cx: x(p.lon), cy: y(p.lat), r: 6, fill: "#c9302c", stroke: "#fff", "stroke-width": 1.5 });
      dot.append(svgElement("title", {}, p.label + " (" + p.lat + ", " + p.lon + ")"));
      g.append(dot, svgElement("text", { x: x(p.lon) + 8, y: y(p.lat) + 4, fill: "#1d2330" }, clip(p.label, 30)));
      svg.append(g);
    }
    return svg;
  }

  const VIEW_DRAWERS = { Table: tableView, Timeline: timelineView, Graph: graphView, BarChart: barView, Map: mapView };

  function setPictureDownloads(svg) {
    const svgLink = document.getElementById("download-svg");
    const pngLink = document.getElementById("download-png");
    if (!svg) {
      pictureDownloads.hidden = true;
      return;
    }
    const source = new XMLSerializer().serializeToString(svg);
    if (svgLink.dataset.url) URL.revokeObjectURL(svgLink.dataset.url);
    const url = URL.createObjectURL(new Blob([source], { type: "image/svg+xml" }));
    svgLink.href = url;
    svgLink.dataset.url = url;
    pngLink.onclick = (event) => {
      event.preventDefault();
      const image = new Image();
      image.onload = () => {
        const canvas = document.createElement("canvas");
        canvas.width = svg.width.baseVal.value * 2;
        canvas.height = svg.height.baseVal.value * 2;
        const context = canvas.getContext("2d");
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        const a = document.createElement("a");
        a.href = canvas.toDataURL("image/png");
        a.download = "results.png";
        a.click();
      };
      image.src = url;
    };
    pictureDownloads.hidden = false;
  }

  function draw() {
    if (!current) return;
    body.textContent = "";
    const views = viewsFor(current.columns);
    for (const tab of tabs.querySelectorAll("button[data-view]")) {
      tab.disabled = !views[tab.dataset.view];
      tab.setAttribute("aria-selected", String(tab.dataset.view === current.view));
    }
    const node = VIEW_DRAWERS[current.view](current);
    node.id = node.id || "view-" + current.view.toLowerCase();
    body.append(node);
    if (current.viewNote) body.prepend(note(current.viewNote));
    setPictureDownloads(node.tagName.toLowerCase() === "svg" ? node : null);
  }

  function chooseView(name) {
    if (!current || !viewsFor(current.columns)[name]) return;
    current.view = name;
    current.viewNote = "";
    draw();
  }

  // --- running ------------------------------------------------------------------------------
  function setDownloads(box, text) {
    for (const link of box.querySelectorAll("a[data-format]")) {
      const params = new URLSearchParams({ query: text, format: link.dataset.format });
      link.href = endpoint + "?" + params.toString();
    }
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    editor.setInvalid(false);
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
      const lines = editor.getValue().split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
      editor.setCursor(offset + Math.max(column - 1, 0));
    }
    errorBox.append(element("span", "where", where), message.trim());
    errorBox.hidden = false;
    editor.setInvalid(true);
  }

  function showResultsArea(visible) {
    tools.hidden = !visible;
    emptyNote.hidden = visible;
    if (!visible) {
      body.textContent = "";
      current = null;
      shareButton.hidden = true;
    }
  }

  // Results beside the editor are in view already; on a narrow screen they are below it.
  function bringIntoView() {
    const box = results.getBoundingClientRect();
    if (box.top > window.innerHeight - 80 || box.bottom < 0) {
      results.scrollIntoView({ block: "start", behavior: "instant" });
    }
  }

  async function run(askedView) {
    const text = editor.getValue();
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    clearError();
    runButton.disabled = true;
    runButton.textContent = "Running…";
    statusLine.textContent = "Running…";
    capLine.hidden = true;
    shareBox.hidden = true;
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
        showResultsArea(false);
        statusLine.textContent = "Failed after " + elapsed + " ms";
        showError(response.status, payload);
        return;
      }
      body.textContent = "";
      resultDownloads.hidden = true;
      graphDownloads.hidden = true;
      pictureDownloads.hidden = true;
      const prefixes = prefixesOf(text);
      let summary;
      let count = null;
      if (contentType.includes("json")) {
        const data = JSON.parse(payload);
        if (typeof data.boolean === "boolean") {
          summary = "Answer: " + (data.boolean ? "yes (true)" : "no (false)");
          current = null;
          tabs.hidden = true;
          body.append(element("p", "answer", String(data.boolean)));
        } else {
          count = data.results.bindings.length;
          summary = plural(count, "row");
          const columns = columnsOf(data);
          const views = viewsFor(columns);
          const wanted = askedView || defaultViewOf(text) || "Table";
          current = { data, prefixes, text, columns, view: views[wanted] ? wanted : "Table", page: 0 };
          if (wanted !== current.view) {
            current.viewNote = wanted in VIEW_DRAWERS
              ? "The " + wanted + " view needs other columns; showing the table."
              : "There is no view named " + wanted + "; showing the table.";
          }
          tabs.hidden = false;
          draw();
        }
        setDownloads(resultDownloads, text);
        resultDownloads.hidden = false;
      } else {
        summary = "Graph result (Turtle)";
        current = null;
        tabs.hidden = true;
        body.append(element("pre", "results-graph", payload));
        setDownloads(graphDownloads, text);
        graphDownloads.hidden = false;
      }
      statusLine.textContent = summary + " in " + elapsed + " ms";
      // A cut result says so in words: the endpoint's own message, next to the row count.
      if (response.headers.get("X-PeaceKG-Truncated") === "true") {
        const cap = response.headers.get("X-PeaceKG-Row-Cap");
        capLine.textContent = response.headers.get("X-PeaceKG-Message") ||
          "Result truncated to the first " + cap + " rows (the server's cap).";
        capLine.hidden = false;
      }
      showResultsArea(true);
      shareButton.hidden = false;
      remember(text, count);
      bringIntoView();
    } catch (error) {
      if (error.name === "AbortError") return;
      showResultsArea(false);
      statusLine.textContent = "";
      showError(0, "Could not reach the endpoint: " + error.message);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        runButton.disabled = false;
        runButton.textContent = "Run";
      }
    }
  }

  // --- history and share link ----------------------------------------------------------------
  function readHistory() {
    try {
      const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function remember(text, count) {
    const list = readHistory().filter((entry) => entry.query !== text);
    list.unshift({ query: text, rows: count, at: new Date().toISOString() });
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, HISTORY_SIZE)));
    } catch (error) {
      return; // storage full or disabled: no history, the page still works
    }
    drawHistory();
  }

  function summaryOf(text) {
    const line = text.split("\n").map((l) => l.trim())
      .find((l) => l && !l.startsWith("#") && !/^PREFIX\b/i.test(l));
    const title = /^#\s*title\s*:\s*(.+)$/m.exec(text);
    return clip(title ? title[1] : line || text.trim(), 90);
  }

  function drawHistory() {
    const box = document.getElementById("history");
    const list = document.getElementById("history-list");
    const entries = readHistory();
    list.textContent = "";
    box.hidden = entries.length === 0;
    for (const entry of entries) {
      const li = element("li");
      const button = element("button", "history-entry");
      button.type = "button";
      button.append(element("span", "title", summaryOf(entry.query)));
      const when = new Date(entry.at);
      button.append(element("span", "description",
        (entry.rows === null || entry.rows === undefined ? "" : plural(entry.rows, "row") + " · ") +
        (isNaN(when) ? "" : when.toLocaleString("en"))));
      button.title = entry.query;
      button.addEventListener("click", () => {
        editor.setValue(entry.query);
        markCurrent(null);
        box.open = false;
        editor.focus();
      });
      li.append(button);
      list.append(li);
    }
  }

  document.getElementById("history-clear").addEventListener("click", () => {
    localStorage.removeItem(HISTORY_KEY);
    drawHistory();
  });

  function shareLink() {
    const params = new URLSearchParams({ query: editor.getValue() });
    params.set("view", current ? current.view : "Table");
    return location.origin + location.pathname + "?" + params.toString();
  }

  shareButton.addEventListener("click", async () => {
    shareUrl.value = shareLink();
    shareBox.hidden = false;
    shareUrl.select();
    try {
      await navigator.clipboard.writeText(shareUrl.value);
      shareButton.textContent = "Link copied";
    } catch (error) {
      shareButton.textContent = "Share link";
    }
  });

  // --- examples ------------------------------------------------------------------------------
  function markCurrent(slug) {
    let title = "";
    for (const link of document.querySelectorAll(".examples a[data-slug]")) {
      if (link.dataset.slug === slug) {
        link.setAttribute("aria-current", "true");
        title = link.querySelector(".title").textContent;
      } else link.removeAttribute("aria-current");
    }
    document.getElementById("examples-current").textContent = title || "pick one";
  }

  function loadExample(slug) {
    if (!(slug in examples)) return false;
    editor.setValue(examples[slug]);
    markCurrent(slug);
    clearError();
    return true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });

  for (const tab of tabs.querySelectorAll("button[data-view]")) {
    tab.addEventListener("click", () => chooseView(tab.dataset.view));
  }

  // Example links are real links (/?example=slug); with a plain click we load in place and
  // keep the address shareable, while a middle or modified click opens a new tab as usual.
  for (const link of document.querySelectorAll(".examples a[data-slug]")) {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (!loadExample(link.dataset.slug)) return;
      event.preventDefault();
      history.pushState({ slug: link.dataset.slug }, "", link.href);
      document.getElementById("examples").open = false;
      editor.focus();
    });
  }

  window.addEventListener("popstate", () => {
    const slug = new URLSearchParams(location.search).get("example");
    if (slug) loadExample(slug);
  });

  // Redraw a picture when the pane changes width (a phone turned, a window resized).
  let lastWidth = body.clientWidth;
  window.addEventListener("resize", () => {
    if (current && current.view !== "Table" && Math.abs(body.clientWidth - lastWidth) > 20) {
      lastWidth = body.clientWidth;
      draw();
    }
  });

  drawHistory();
  // A shared link names its view: run the query at once and show it.
  if (form.dataset.view) run(form.dataset.view);
})();
