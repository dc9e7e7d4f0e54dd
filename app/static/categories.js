// Optional enhancement of the category picker: results appear while typing.
// Without this file the "Search" button does the same with a page reload.
(function () {
  "use strict";
  var input = document.querySelector("input[data-search-url]");
  var results = document.getElementById("category-results");
  var chosen = document.getElementById("category-chosen");
  if (!input || !results || !chosen || !window.fetch) { return; }
  var timer = null;
  var lastQuery = null;

  function chosenIds() {
    var ids = {};
    chosen.querySelectorAll("input[name=categories]").forEach(function (box) {
      ids[box.value] = true;
    });
    return ids;
  }

  // A result the user ticks moves to the chosen list, so a new search keeps it.
  results.addEventListener("change", function (event) {
    var box = event.target;
    if (box.name === "categories" && box.checked) {
      chosen.appendChild(box.closest("li"));
    }
  });

  function render(items) {
    var taken = chosenIds();
    results.textContent = "";
    items.forEach(function (item) {
      if (taken[String(item.id)]) { return; }
      var li = document.createElement("li");
      var label = document.createElement("label");
      label.className = "check";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "categories";
      box.value = String(item.id);
      var code = document.createElement("span");
      code.className = "catcode";
      code.textContent = item.code;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(code);
      label.appendChild(document.createTextNode(" " + item.label));
      li.appendChild(label);
      results.appendChild(li);
    });
  }

  function search() {
    var q = input.value.trim();
    if (q === lastQuery) { return; }
    lastQuery = q;
    if (q.length < 2) { render([]); return; }
    var url = input.getAttribute("data-search-url") + "?q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { if (q === lastQuery) { render(items); } })
      .catch(function () { /* the Search button still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Enter in the search box searches instead of sending the whole form.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(); }
  });
})();
