// The scenario editor without a round trip for "add rows": each table of rows gets three
// more empty rows, cloned from its last row with the next indices. Without JavaScript the
// same button posts the form and the server renders the extra rows.
(function () {
  "use strict";
  var FIELD = /^(o-[a-z_]+|c)-(\d+)-([a-z_]+)$/;

  function nextIndex(table) {
    var highest = -1;
    table.querySelectorAll("[name]").forEach(function (el) {
      var m = FIELD.exec(el.name);
      if (m) { highest = Math.max(highest, parseInt(m[2], 10)); }
    });
    return highest + 1;
  }

  function addRow(table) {
    var rows = table.querySelectorAll("tr.row");
    if (!rows.length) { return; }
    var index = nextIndex(table);
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("[name]").forEach(function (el) {
      var m = FIELD.exec(el.name);
      if (m) { el.name = m[1] + "-" + index + "-" + m[3]; }
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = false; });
        if (!el.multiple) { el.selectedIndex = 0; }
      } else {
        el.value = "";
      }
    });
    rows[rows.length - 1].parentNode.appendChild(copy);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.add-rows");
    if (!button || !button.form) { return; }
    event.preventDefault();
    button.form.querySelectorAll("table.rows").forEach(function (table) {
      for (var i = 0; i < 3; i += 1) { addRow(table); }
    });
  });
}());
