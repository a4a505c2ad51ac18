// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // The language menu submits itself when changed.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]")) el.form.submit();
  });
  // Keyboard shortcuts: "g" then a letter follows the navigation link with that data-key.
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (event.key === "?") {
      var dialog = document.getElementById("shortcuts");
      if (dialog && dialog.showModal) dialog.showModal();
      return;
    }
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.sidenav a[data-key="' + event.key + '"]');
      if (link) link.click();
      return;
    }
    if (event.key === "g") {
      pendingG = true;
      setTimeout(function () { pendingG = false; }, 1200);
    }
  });
  // Confirm destructive buttons (disconnect, remove, revoke).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
