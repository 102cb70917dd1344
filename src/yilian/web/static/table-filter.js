// yilian static site: narrow a fact table to the rows that contain every typed word.
(function () {
  "use strict";
  var input = document.getElementById("rowfilter");
  if (!input) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.facts tbody tr"));
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (tr) {
      var text = tr.textContent.toLowerCase();
      tr.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
})();
