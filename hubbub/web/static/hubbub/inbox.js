// The inbox's enhancements: keyboard (j/k, Enter/o, r, a, e, x, /), new rows while the list
// is open (htmx polls; this keeps them in order), the reply box's counter, saved replies and
// "someone is already replying" heartbeat. Every page works without it.
(function () {
  "use strict";
  var ORDER_KEY = "hubbub.inbox.order";
  var LAST_KEY = "hubbub.inbox.last";

  function isTyping(t) {
    if (!t) return false;
    if (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName)) return true;
    return t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/i.test(t.type);
  }
  function store(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function load(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  // The "?" dialog of the layout lists the inbox's keys too.
  var help = document.getElementById("inbox-shortcuts");
  var helpList = document.querySelector("#shortcuts dl");
  if (help && helpList && !helpList.querySelector(".inbox-key")) {
    helpList.appendChild(help.content.cloneNode(true));
  }

  var list = document.querySelector("[data-inbox-list]");
  var page = document.querySelector("[data-conversation]");
  var bulkForm = document.getElementById("bulk-form");
  var current = null;

  function rows() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("tr[data-row]")) : [];
  }
  function select(row, focus) {
    if (current) { current.classList.remove("selected"); current.removeAttribute("aria-current"); }
    current = row || null;
    if (!current) return;
    current.classList.add("selected");
    current.setAttribute("aria-current", "true");
    if (focus !== false) {
      var link = current.querySelector("[data-open]");
      if (link) link.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest" });
    }
    store(LAST_KEY, current.getAttribute("data-id"));
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current);
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }
  function remember() {
    // The conversation page's j/k follow the list as the person last saw it.
    if (!list) return;
    store(ORDER_KEY, { list: location.pathname + location.search, items: rows().map(function (r) { return r.getAttribute("data-href"); }) });
  }
  function checked() {
    return rows().filter(function (r) { var box = r.querySelector("[data-pick]"); return box && box.checked; });
  }
  function updateCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    if (!label.hasAttribute("data-initial")) label.setAttribute("data-initial", label.textContent);
    var n = checked().length;
    label.textContent = n ? n + " " + label.getAttribute("data-label") : label.getAttribute("data-initial");
  }
  function bulk(op) {
    if (!bulkForm) return;
    if (!checked().length && current) {
      var box = current.querySelector("[data-pick]");
      if (box) box.checked = true;
    }
    if (!checked().length) return;
    var button = bulkForm.querySelector('button[name="op"][value="' + op + '"]');
    if (button) bulkForm.requestSubmit ? bulkForm.requestSubmit(button) : button.click();
  }

  if (list) {
    var last = load(LAST_KEY);
    var again = last && list.querySelector('tr[data-row][data-id="' + last + '"]');
    if (again) select(again, false);
    remember();
    list.addEventListener("change", function (event) {
      if (event.target.matches("[data-pick]")) updateCount();
    });
    list.addEventListener("click", function (event) {
      var row = event.target.closest("tr[data-row]");
      if (row && !event.target.closest("a, input, button")) select(row);
    });
  }

  // --- new rows (htmx polls inbox:new_rows every 15 s) ---------------------------------------
  var poller = document.getElementById("poller");
  if (poller) {
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt === poller) event.detail.parameters.after = poller.getAttribute("data-newest");
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.elt !== poller && event.target.id !== "rows") return;
      var seen = {};
      var newest = poller.getAttribute("data-newest") || "";
      rows().forEach(function (row) {
        var id = row.getAttribute("data-id");
        // A conversation with a new message comes back at the top: drop its old row.
        if (seen[id]) { if (row === current) select(seen[id], false); row.remove(); return; }
        seen[id] = row;
        var at = row.getAttribute("data-at") || "";
        if (Date.parse(at) > Date.parse(newest)) newest = at;
      });
      poller.setAttribute("data-newest", newest);
      var empty = document.querySelector("[data-testid=inbox-empty]");
      if (empty && rows().length) empty.remove();
      remember();
    });
    document.body.addEventListener("inbox:newRows", function (event) {
      var badge = document.getElementById("new-elsewhere");
      var detail = event.detail || {};
      if (badge && detail.hidden > 0) {
        badge.textContent = detail.hiddenLabel;
        badge.hidden = false;
      }
    });
  }

  // --- the conversation page -----------------------------------------------------------------
  var replyText = document.querySelector("[data-reply-text]");
  var replyForm = document.querySelector("[data-reply-form]");

  function neighbour(step) {
    var order = load(ORDER_KEY);
    if (!order || !order.items) return null;
    var at = order.items.indexOf(location.pathname);
    if (at < 0) return null;
    return order.items[at + step] || null;
  }
  if (page) {
    var order = load(ORDER_KEY);
    var back = document.querySelector("[data-back-to-list]");
    if (order && order.list && back) back.setAttribute("href", order.list);
    var box = document.querySelector("[data-neighbours]");
    var prev = neighbour(-1), next = neighbour(1);
    if (box && (prev || next)) {
      box.hidden = false;
      var p = box.querySelector("[data-prev]"), n = box.querySelector("[data-next]");
      if (prev) p.setAttribute("href", prev); else p.remove();
      if (next) n.setAttribute("href", next); else n.remove();
    }
    store(LAST_KEY, page.getAttribute("data-conversation"));
    if (location.hash === "#reply" && replyText) replyText.focus();
  }

  // Character counter: the network's way of counting, approximately (the server decides).
  function length(text, counting) {
    if (counting === "bytes") return new TextEncoder().encode(text).length;
    if (counting === "mastodon") {
      text = text.replace(/https?:\/\/\S+/g, "x".repeat(23)).replace(/(@\w+)@[\w.-]+\w/g, "$1");
      return Array.from(text).length;
    }
    if (counting === "code_points") return Array.from(text).length;
    if (window.Intl && Intl.Segmenter) {
      var n = 0, it = new Intl.Segmenter().segment(text)[Symbol.iterator]();
      while (!it.next().done) n++;
      return n;
    }
    return Array.from(text).length;
  }
  var counter = document.getElementById("reply-counter");
  function count() {
    if (!replyText || !counter || !replyText.getAttribute("data-max")) return;
    var max = parseInt(replyText.getAttribute("data-max"), 10);
    var n = length(replyText.value, replyText.getAttribute("data-counting"));
    counter.textContent = n + " / " + max;
    counter.classList.toggle("over", n > max);
  }
  if (replyText) {
    replyText.addEventListener("input", count);
    count();
    replyText.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && replyForm) {
        event.preventDefault();
        replyForm.requestSubmit ? replyForm.requestSubmit() : replyForm.submit();
      }
      if (event.key === "Escape") replyText.blur();
    });
  }
  // The heartbeat runs while the reply box has focus or text (htmx asks this every 30 s).
  window.hubbubReplyActive = function () {
    return !!replyText && (document.activeElement === replyText || replyText.value.trim() !== "");
  };

  // Saved replies: the language menu narrows the list, choosing one puts its text in the box.
  var savedLang = document.querySelector("[data-saved-lang]");
  var saved = document.querySelector("[data-saved-reply]");
  function filterSaved() {
    if (!savedLang || !saved) return;
    Array.prototype.forEach.call(saved.options, function (o) {
      if (o.value) o.hidden = o.getAttribute("data-lang") !== savedLang.value;
    });
  }
  if (savedLang) { savedLang.addEventListener("change", filterSaved); filterSaved(); }
  if (saved && replyText) {
    saved.addEventListener("change", function () {
      var option = saved.options[saved.selectedIndex];
      var text = option && option.getAttribute("data-text");
      if (!text) return;
      replyText.value = replyText.value.trim() ? replyText.value.replace(/\s*$/, "\n\n") + text : text;
      replyText.dispatchEvent(new Event("input", { bubbles: true }));
      replyText.focus();
    });
  }
  // "Reply to this": the reply answers that message rather than the latest one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-reply-to]");
    if (!button || !replyText) return;
    var field = document.querySelector("[data-to-message]");
    if (field) field.value = button.getAttribute("data-reply-to");
    var label = document.querySelector("[data-reply-to-label]");
    if (label) { label.textContent = "→ " + button.getAttribute("data-reply-label"); label.hidden = false; }
    replyText.focus();
  });

  // --- keys ----------------------------------------------------------------------------------
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    // "g" then a letter is the layout's navigation (hubbub.js): leave that pair alone.
    if (pendingG) { pendingG = false; return; }
    if (event.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); return; }
    var key = event.key;
    var handled = true;
    if (key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) search.focus();
      else if (page) location.href = page.getAttribute("data-list-url") + "#search";
    } else if (list && !page) {
      if (key === "j") move(1);
      else if (key === "k") move(-1);
      else if ((key === "Enter" || key === "o") && current) {
        if (key === "Enter" && event.target.closest && event.target.closest("a, button")) { handled = false; }
        else location.href = current.getAttribute("data-href");
      } else if (key === "r" && current) location.href = current.getAttribute("data-href") + "#reply";
      else if (key === "x" && current) {
        var box = current.querySelector("[data-pick]");
        if (box) { box.checked = !box.checked; updateCount(); }
      } else if (key === "e") bulk("close");
      else if (key === "a") {
        if (!checked().length && current) { var pick = current.querySelector("[data-pick]"); if (pick) pick.checked = true; updateCount(); }
        var assign = document.querySelector("[data-assign]");
        if (assign) assign.focus(); else handled = false;
      } else handled = false;
    } else if (page) {
      if (key === "j" || key === "k") {
        var target = neighbour(key === "j" ? 1 : -1);
        if (target) location.href = target; else handled = false;
      } else if (key === "r" && replyText) replyText.focus();
      else if (key === "a") {
        var select = document.querySelector("[data-assign]");
        if (select) select.focus(); else handled = false;
      } else if (key === "e") {
        var close = document.querySelector("[data-close-form]");
        if (close) close.requestSubmit ? close.requestSubmit() : close.submit(); else handled = false;
      } else handled = false;
    } else handled = false;
    if (handled) event.preventDefault();
  });
  if (location.hash === "#search") {
    var field = document.querySelector("[data-search]");
    if (field) field.focus();
  }
})();
