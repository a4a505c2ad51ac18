// Draw a page's charts (the inbox's reports, Measure's results): each element with
// data-plotly-figure names the json_script holding its plotly figure (data and layout,
// built on the server).
// Without plotly.js, or without JavaScript, the tables beside the charts show the numbers.
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
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
