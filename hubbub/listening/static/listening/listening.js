// Listening's enhancements; every page works without them.
// - Charts: each element with data-plotly-figure names the json_script holding its plotly
//   figure (built on the server). A point's customdata is the address of the mentions list
//   filtered to it: clicking the point opens it (the tables beside carry the same links).
// - The mentions list by keyboard: j/k move, Enter or o opens the original, 1/2/3 say
//   negative/neutral/positive, i brings the mention into the inbox, / goes to the search.
(function () {
  "use strict";

  function draw() {
    if (typeof window.Plotly === "undefined") return;
    document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly-figure"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      }).then(function () {
        el.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          var url = point && point.customdata;
          if (Array.isArray(url)) url = url[0];
          // Only our own pages: the addresses are built on the server, relative to this site.
          if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
            window.location.href = url;
          }
        });
      });
    });
  }

  // The "?" dialog of the layout lists the list's keys too.
  var help = document.getElementById("listening-shortcuts");
  var helpList = document.querySelector("#shortcuts dl");
  if (help && helpList && !helpList.querySelector(".listening-key")) {
    helpList.appendChild(help.content.cloneNode(true));
  }

  var list = document.querySelector("[data-mention-list]");
  var currentId = null;

  function rows() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-mention]")) : [];
  }
  function current() {
    if (!list || currentId === null) return null;
    return list.querySelector('[data-mention][data-id="' + currentId + '"]');
  }
  function select(row, focus) {
    var before = current();
    if (before) { before.classList.remove("selected"); before.removeAttribute("aria-current"); }
    currentId = row ? row.getAttribute("data-id") : null;
    if (!row) return;
    row.classList.add("selected");
    row.setAttribute("aria-current", "true");
    if (focus !== false) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }
  function press(selector) {
    var row = current();
    var button = row && row.querySelector(selector);
    if (button) button.click();
  }
  function isTyping(t) {
    if (!t) return false;
    if (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName)) return true;
    return t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/i.test(t.type);
  }

  if (list) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      var key = event.key;
      if (key === "j") { move(1); event.preventDefault(); }
      else if (key === "k") { move(-1); event.preventDefault(); }
      else if (key === "1") press('[data-label="negative"]');
      else if (key === "2") press('[data-label="neutral"]');
      else if (key === "3") press('[data-label="positive"]');
      else if (key === "i") press("[data-to-inbox]");
      else if ((key === "Enter" && event.target === current()) || key === "o") press("[data-open]");
      else if (key === "/") {
        var search = document.getElementById("m-q");
        if (search) { search.focus(); event.preventDefault(); }
      }
    });
    list.addEventListener("click", function (event) {
      var row = event.target.closest && event.target.closest("[data-mention]");
      if (row) select(row, false);
    });
    // A row corrected through htmx is a new element: keep it selected and focused.
    document.body.addEventListener("htmx:afterSettle", function () {
      var row = current();
      if (row && !row.classList.contains("selected")) select(row);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
