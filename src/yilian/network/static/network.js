// yilian network view: filters, search, legend and details over vis-network.
// Reads its data from the <script id="yl-data"> element of the page.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("yl-data").textContent);
  var groupColour = {}, groupLabel = {};
  data.groups.forEach(function (g) { groupColour[g.id] = g.color; groupLabel[g.id] = g.label + " " + g.label_en; });
  var kindStyle = {};
  data.kinds.forEach(function (k) { kindStyle[k.id] = k; });
  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  var allianceLabel = {};
  data.alliances.forEach(function (a) { allianceLabel[a.iri] = a.label; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function line(parent, text, cls) { parent.appendChild(el("div", cls || "", text)); }
  function safeLink(iri) {
    // only http(s) IRIs become links; anything else (javascript:, data: …) stays text
    if (/^https?:\/\//i.test(iri)) {
      var a = el("a", "", iri); a.href = iri; a.rel = "noopener noreferrer"; a.target = "_blank"; return a;
    }
    return el("span", "", iri);
  }
  function factBlock(parent, f) {
    if (f.label) { line(parent, "事实 fact: " + f.label); }
    if (f.person) { line(parent, "人员 person: " + f.person + (f.title ? "（" + f.title + "）" : ""), "m"); }
    if (f.date) { line(parent, "日期 date: " + f.date, "m"); }
    if (f.sources && f.sources.length) {
      line(parent, "来源 source: " + f.sources.join(", ") + (f.files && f.files.length ? " [" + f.files.join(", ") + "]" : ""), "m");
    }
    (f.quotes || []).forEach(function (q) { line(parent, "“" + q + "”", "q"); });
  }
  function nodeTip(n, links) {
    var d = el("div", "tip");
    d.appendChild(el("b", "", n.label));
    if (n.label_en && n.label_en !== n.label) { line(d, n.label_en, "m"); }
    line(d, (n.kind_label || "") + (n.place ? " · " + n.place : ""));
    if (n.alliances.length) { line(d, "医联体 alliances: " + n.alliances.map(function (a) { return allianceLabel[a] || a; }).join("、")); }
    if (n.leads.length) { line(d, "牵头 leads: " + n.leads.map(function (a) { return allianceLabel[a] || a; }).join("、")); }
    if (n.sources.length) { line(d, "见于 mentioned in: " + n.sources.join(", "), "m"); }
    var iri = el("div", "m"); iri.appendChild(links ? safeLink(n.id) : el("span", "", n.id)); d.appendChild(iri);
    return d;
  }
  function edgeTip(e, links) {
    var d = el("div", "tip"), k = kindStyle[e.kind] || {label: e.kind, label_en: e.kind};
    var a = nodeById[e.from], b = nodeById[e.to];
    d.appendChild(el("b", "", a.label + (e.directed ? " → " : " — ") + b.label));
    line(d, k.label + " · " + k.label_en);
    if (e.via.length) { line(d, "经由 via: " + e.via.map(function (x) { return allianceLabel[x] || x; }).join("、"), "m"); }
    e.facts.forEach(function (f) {
      factBlock(d, f);
      if (links && f.iri) { var p = el("div", "m"); p.appendChild(safeLink(f.iri)); d.appendChild(p); }
    });
    if (!e.facts.some(function (f) { return f.iri; })) { line(d, "（实体描述中的关系 stated in the entity's description）", "m"); }
    return d;
  }

  // organizations without ties are laid out with the others but hidden unless asked for
  var showIsolated = !!data.showIsolated;
  var isolatedCount = data.nodes.filter(function (n) { return n.isolated; }).length;
  // the whole item on every update: vis-network re-applies a node's group style to the
  // fields an update leaves out, which would replace our colours
  function nodeItem(n) {
    return {id: n.id, label: n.label, group: n.group, title: nodeTip(n, false), value: 1 + n.degree,
            hidden: n.isolated && !showIsolated,
            shape: n.group === "Alliance" ? "diamond" : "dot",
            color: {background: groupColour[n.group] || "#999", border: "#333",
                    highlight: {background: "#ffd84d", border: "#000"}}};
  }
  var nodes = new vis.DataSet(data.nodes.map(nodeItem));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var k = kindStyle[e.kind] || {color: "#888", dashes: false, width: 1};
    return {id: e.id, from: e.from, to: e.to, kind: e.kind, via: e.via, title: edgeTip(e, false),
            arrows: e.directed ? "to" : "", dashes: k.dashes, width: k.width,
            color: {color: k.color, highlight: "#000", hover: "#000"},
            smooth: {enabled: true, type: (e.bend % 2 ? "curvedCCW" : "curvedCW"), roundness: 0.08 + 0.12 * e.bend}};
  }));

  var shownKinds = {};
  data.kinds.forEach(function (k) { shownKinds[k.id] = true; });
  var chosenAlliance = "";
  function inAlliance(id) {
    var n = nodeById[id];
    return n.alliances.indexOf(chosenAlliance) >= 0 || n.leads.indexOf(chosenAlliance) >= 0 || id === chosenAlliance;
  }
  function edgeShown(e) {
    if (!shownKinds[e.kind]) { return false; }
    if (!chosenAlliance) { return true; }
    return e.via.indexOf(chosenAlliance) >= 0 || (inAlliance(e.from) && inAlliance(e.to));
  }
  function nodeShown(n) {
    if (!chosenAlliance) { return true; }
    if (inAlliance(n.id)) { return true; }
    return edges.get({filter: function (e) { return edgeShown(e) && (e.from === n.id || e.to === n.id); }}).length > 0;
  }
  var nodeView = new vis.DataView(nodes, {filter: nodeShown});
  var edgeView = new vis.DataView(edges, {filter: edgeShown});
  var container = document.getElementById("net");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, {
    nodes: {font: {face: data.fontFace, size: 14, strokeWidth: 3, strokeColor: "#ffffff"},
            scaling: {min: 10, max: 34}, borderWidth: 1},
    edges: {arrows: {to: {scaleFactor: 0.6}}, selectionWidth: 2, hoverWidth: 1},
    interaction: {hover: true, tooltipDelay: 120, navigationButtons: false, keyboard: true, multiselect: true},
    physics: {solver: "forceAtlas2Based", forceAtlas2Based: {gravitationalConstant: -60, springLength: 90},
              stabilization: {iterations: 600, fit: true}},
    layout: {randomSeed: 7, improvedLayout: data.nodes.length < 150}
  });
  var settled = false;
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false}); settled = true; document.body.setAttribute("data-ready", "1");
  });

  function shownIds() {
    return network.body.nodeIndices.filter(function (id) { return !network.body.nodes[id].options.hidden; });
  }
  function updateCounts() {
    var shown = shownIds();
    document.getElementById("counts").textContent =
      shown.length + " 个节点 nodes · " + network.body.edgeIndices.length + " 条关系 ties";
    var notice = document.getElementById("notice");
    if (notice) {
      var hidden = network.body.nodeIndices.length - shown.length;
      notice.textContent = chosenAlliance && !shown.length
        ? "该医联体的机构在此视图中没有关系" + (hidden ? "；勾选上面的“显示无关系的机构”。" : "。") +
          " No organization of this alliance has ties in this view" +
          (hidden ? "; tick “show organizations without ties” above." : ".") +
          (data.mode === "lead" ? " (Alliances are drawn as their lead: an alliance whose only named member is its lead has no lead → member tie.)" : "")
        : "";
    }
  }
  network.on("afterDrawing", updateCounts);

  // ----- side panel: legend and filters
  var side = document.getElementById("side");
  side.appendChild(el("h2", "", "机构类别 Organization kinds"));
  data.groups.forEach(function (g) {
    var row = el("label"); var dot = el("span", "dot"); dot.style.background = g.color;
    if (g.id === "Alliance") { dot.style.borderRadius = "0"; dot.style.transform = "rotate(45deg) scale(0.85)"; }
    row.appendChild(dot); row.appendChild(el("span", "", g.label + " " + g.label_en)); side.appendChild(row);
  });
  side.appendChild(el("h2", "", "关系类型 Tie kinds"));
  data.kinds.forEach(function (k) {
    var row = el("label"); var box = el("input"); box.type = "checkbox"; box.checked = true; box.value = k.id;
    box.className = "kind-filter";
    box.addEventListener("change", function () { shownKinds[k.id] = box.checked; refresh(); });
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "34"); svg.setAttribute("height", "10");
    var ln = document.createElementNS("http://www.w3.org/2000/svg", "line");
    ln.setAttribute("x1", "1"); ln.setAttribute("y1", "5"); ln.setAttribute("x2", "33"); ln.setAttribute("y2", "5");
    ln.setAttribute("stroke", k.color); ln.setAttribute("stroke-width", String(Math.max(1.5, k.width)));
    if (k.dashes) { ln.setAttribute("stroke-dasharray", k.dashes.join(" ")); }
    svg.appendChild(ln);
    row.appendChild(box); row.appendChild(svg); row.appendChild(el("span", "", k.label + " " + k.label_en));
    side.appendChild(row);
  });
  if (isolatedCount) {
    var isoRow = el("label"); var iso = el("input"); iso.type = "checkbox"; iso.id = "show-isolated";
    iso.checked = showIsolated;
    iso.addEventListener("change", function () {
      showIsolated = iso.checked;
      nodes.update(data.nodes.filter(function (n) { return n.isolated; }).map(nodeItem));
      refresh();
    });
    isoRow.appendChild(iso);
    isoRow.appendChild(el("span", "", "显示无关系的机构 show " + isolatedCount + " organization" +
                          (isolatedCount === 1 ? "" : "s") + " without ties"));
    side.appendChild(el("h2", "", "无关系的机构 Without ties"));
    side.appendChild(isoRow);
  }
  side.appendChild(el("h2", "", "医联体 Alliance"));
  var sel = el("select"); sel.id = "alliance-filter";
  var all = el("option", "", "全部 all"); all.value = ""; sel.appendChild(all);
  data.alliances.forEach(function (a) { var o = el("option", "", a.label); o.value = a.iri; sel.appendChild(o); });
  sel.addEventListener("change", function () { chosenAlliance = sel.value; refresh(); });
  side.appendChild(sel);
  side.appendChild(el("p", "m", "")).id = "notice";
  side.appendChild(el("p", "m", data.mode === "lead"
    ? "医联体以牵头单位表示 (alliances are drawn as their lead)" : "医联体为节点 (alliances are nodes)"));

  function refresh() { edgeView.refresh(); nodeView.refresh(); updateCounts(); fit(); }
  // the whole visible network in the window; a reset also clears the search and selection
  function fit() { network.fit({animation: false}); }
  function reset() {
    search.value = ""; found.textContent = ""; network.unselectAll(); fit();
  }

  // ----- details panel (click)
  var details = document.getElementById("details");
  function show(elem) { details.textContent = ""; details.appendChild(elem); }
  network.on("click", function (p) {
    if (p.nodes.length) { show(nodeTip(nodeById[p.nodes[0]], true)); }
    else if (p.edges.length) {
      var e = data.edges.filter(function (x) { return x.id === p.edges[0]; })[0];
      if (e) { show(edgeTip(e, true)); }
    }
  });

  // ----- search
  var search = document.getElementById("search"), found = document.getElementById("found");
  function find(text) {
    var t = String(text || "").trim().toLowerCase();
    if (!t) { return []; }
    var visible = {};
    shownIds().forEach(function (id) { visible[id] = true; });
    return data.nodes.filter(function (n) {
      if (!visible[n.id]) { return false; }
      return [n.label, n.label_en, n.name].concat(n.alt).some(function (s) { return s && s.toLowerCase().indexOf(t) >= 0; });
    }).map(function (n) { return n.id; });
  }
  function doSearch() {
    if (!search.value.trim()) { reset(); return []; }  // a cleared search returns to the whole view
    var ids = find(search.value);
    found.textContent = ids.length + " 个匹配 found";
    network.selectNodes(ids);
    if (ids.length) {
      network.focus(ids[0], {scale: 1.3, animation: false});
      show(nodeTip(nodeById[ids[0]], true));
    } else {
      fit();
    }
    return ids;
  }
  search.addEventListener("input", doSearch);
  document.getElementById("fit").addEventListener("click", reset);

  window.ylNetwork = {
    network: network, nodes: nodes, edges: edges, find: find,
    search: function (text) { search.value = text; return doSearch(); },
    reset: reset,
    counts: function () { return {nodes: shownIds().length, edges: network.body.edgeIndices.length}; },
    ready: function () { return settled; }
  };
})();
