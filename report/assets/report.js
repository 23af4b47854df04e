// The report's one script: sorting and filtering the findings table. It
// loads nothing; an error it meets is written on the page's root element
// (data-error), and data-ready says it ran to its end. It holds no less-than sign and
// no ampersand, so that the page reads as XML too (the structure tests).
(function () {
  "use strict";
  var root = document.documentElement;
  window.addEventListener("error", function (e) {
    root.setAttribute("data-error", String(e.message));
  });
  var table = document.getElementById("findings-table");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var filters = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
    var text = document.getElementById("filter-text");
    var shown = document.getElementById("shown");
    var apply = function () {
      var q = text.value.toLowerCase();
      var n = 0;
      rows.forEach(function (r) {
        var ok = filters.every(function (f) {
          return f.value === "" || r.getAttribute("data-" + f.getAttribute("data-filter")) === f.value;
        });
        if (ok) {
          ok = q === "" || r.textContent.toLowerCase().indexOf(q) !== -1;
        }
        r.hidden = !ok;
        if (ok) {
          n++;
        }
      });
      shown.textContent = String(n);
    };
    filters.forEach(function (f) { f.addEventListener("change", apply); });
    text.addEventListener("input", apply);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, i) {
      th.addEventListener("click", function () {
        var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
        heads.forEach(function (h) { h.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", dir);
        var num = th.getAttribute("data-type") === "num" || i === 1;
        var key = function (r) {
          var c = r.cells[i];
          return c.getAttribute("data-v") || c.textContent;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = num ? Number(x) - Number(y) : x.localeCompare(y);
          if (c === 0) {
            c = Number(a.getAttribute("data-n")) - Number(b.getAttribute("data-n"));
          }
          return dir === "asc" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    apply();
  }
  root.setAttribute("data-ready", "1");
})();
