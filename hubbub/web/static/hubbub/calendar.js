// Calendar: drag a post chip onto another day (month view: keeps its time of day) or hour
// slot (week view) to move it. The "Move…" form on every chip does the same without a mouse.
(function () {
  "use strict";
  var root = document.getElementById("calendar");
  if (!root) return;
  var status = document.getElementById("cal-status");
  var dragged = null;

  function say(text) { if (status) status.textContent = text; }

  root.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".chip[draggable]");
    if (!chip) return;
    dragged = chip;
    chip.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-post"));
  });
  root.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    root.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });

  function target(event) {
    return event.target.closest && event.target.closest("[data-date]");
  }
  root.addEventListener("dragover", function (event) {
    var cell = target(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("drop-target");
  });
  root.addEventListener("dragleave", function (event) {
    var cell = target(event);
    if (cell) cell.classList.remove("drop-target");
  });
  root.addEventListener("drop", function (event) {
    var cell = target(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    cell.classList.remove("drop-target");
    var chip = dragged;
    var body = new FormData();
    body.append("post", chip.getAttribute("data-post"));
    body.append("date", cell.getAttribute("data-date"));
    // Week view: the hour of the slot, keeping the minutes; month view: the post's own time.
    var hour = cell.getAttribute("data-hour");
    var time = chip.getAttribute("data-time") || "09:00";
    body.append("time", hour ? hour.slice(0, 3) + time.slice(3, 5) : time);
    fetch(root.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.getAttribute("data-csrf"), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      say(answer.data.message || "");
      if (answer.ok) {
        // Redraw from the server: the chip's time, status (e.g. back to review) and place.
        window.location.reload();
      }
    }).catch(function () {
      say(root.getAttribute("data-error") || "The post could not be moved: try the Move… form.");
    });
  });
})();
