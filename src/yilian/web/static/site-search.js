// yilian static site: search in the browser from the prebuilt index
// (search-index.js), with the rules of `yilian search`: every word must occur (Chinese as a substring,
// English in any case); entities first (exact name, alternate name, partial), then facts.
(function () {
  "use strict";
  var form = document.getElementById("searchform");
  var box = document.getElementById("q");
  var out = document.getElementById("results");
  if (!form || !box || !out) { return; }
  var base = document.querySelector("link[rel=stylesheet]").getAttribute("href").replace(/static\/yilian\.css$/, "");
  var index = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function marked(text, words) {
    var span = el("div", {"class": "passage"});
    var low = text.toLowerCase();
    var spans = [];
    words.forEach(function (w) { var i = low.indexOf(w); if (i >= 0) { spans.push([i, i + w.length]); } });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) { return; }
      span.appendChild(document.createTextNode(text.slice(pos, s[0])));
      span.appendChild(el("mark", {}, text.slice(s[0], s[1])));
      pos = s[1];
    });
    span.appendChild(document.createTextNode(text.slice(pos)));
    return span;
  }

  function run() {
    var q = box.value.trim();
    while (out.firstChild) { out.removeChild(out.firstChild); }
    if (!q || !index) { return; }
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    var entities = [], facts = [];
    index.forEach(function (n) {
      var names = n.names.map(function (s) { return s.toLowerCase(); });
      var all = names.concat(n.texts.map(function (s) { return s.toLowerCase(); }));
      if (!words.every(function (w) { return all.some(function (t) { return t.indexOf(w) >= 0; }); })) { return; }
      var exact = names.indexOf(q.toLowerCase());
      var rank = exact === 0 ? 0 : (exact > 0 ? 1 : (names.some(function (t) {
        return words.every(function (w) { return t.indexOf(w) >= 0; }); }) ? 2 : 3));
      (n.fact ? facts : entities).push({n: n, rank: rank});
    });
    function byRank(a, b) { return a.rank - b.rank || (a.n.names[0] < b.n.names[0] ? -1 : 1); }
    entities.sort(byRank); facts.sort(byRank);
    [["实体 Entities", entities], ["事实 Facts", facts]].forEach(function (part) {
      if (!part[1].length) { return; }
      out.appendChild(el("h2", {}, part[0] + " (" + part[1].length + ")"));
      var ol = el("ol", {"class": "hits"});
      part[1].slice(0, 100).forEach(function (h) {
        var li = el("li");
        li.appendChild(el("a", {href: base + h.n.href}, h.n.names[0]));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("small", {"class": "kind"}, h.n.kind));
        var hit = h.n.texts.concat(h.n.names).filter(function (t) {
          var l = t.toLowerCase(); return words.some(function (w) { return l.indexOf(w) >= 0; }); })[0];
        if (hit) { li.appendChild(marked(hit, words)); }
        ol.appendChild(li);
      });
      out.appendChild(ol);
    });
    if (!entities.length && !facts.length) { out.appendChild(el("p", {}, "没有结果。Nothing matches.")); }
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  box.addEventListener("input", run);
  // search-index.js (loaded before this script) sets window.ylSearchIndex: a script, not a
  // fetch, so the search works from file:// as well as from any static host
  index = window.ylSearchIndex || [];
  var m = /[?&]q=([^&]*)/.exec(location.search);
  if (m && !box.value) { box.value = decodeURIComponent(m[1].replace(/\+/g, " ")); }
  run();
})();
