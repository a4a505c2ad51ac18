// The feed reader by keyboard (the page works without it): j / k move between items,
// o opens the focused item's article, m marks it read or unread, s saves it to the library.
(function () {
  "use strict";
  var reader = document.querySelector("[data-feed-reader]");
  if (!reader) return;
  var current = -1;
  var afterG = false; // "g" then a letter is the layout's navigation, not ours

  // The "?" dialog of the layout lists the reader's keys too.
  var help = document.getElementById("feeds-shortcuts");
  var helpList = document.querySelector("#shortcuts dl");
  if (help && helpList && !helpList.querySelector(".feeds-key")) {
    helpList.appendChild(help.content.cloneNode(true));
  }

  function items() {
    return Array.prototype.slice.call(reader.querySelectorAll(".feed-item"));
  }

  function focus(index) {
    var all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all[current].focus();
    all[current].scrollIntoView({ block: "nearest" });
  }

  function click(selector) {
    var all = items();
    var item = all[current];
    var target = item && item.querySelector(selector);
    if (target) target.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (afterG) {
      afterG = false;
      return;
    }
    if (event.key === "g") {
      afterG = true;
      setTimeout(function () { afterG = false; }, 1200);
      return;
    }
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if (event.key === "o") click("[data-open]");
    else if (event.key === "m") click("[data-mark]");
    else if (event.key === "s") click("[data-save]");
    else return;
    event.preventDefault();
  });

  // htmx replaces an item after a read mark: keep the focus on it.
  document.body.addEventListener("htmx:afterSwap", function () {
    if (current >= 0) focus(current);
  });
})();
