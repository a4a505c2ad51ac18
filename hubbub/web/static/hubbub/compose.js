// The composer's enhancements; the form works without them (add/remove part and upload
// then go through the server). Live validation and autosave are htmx attributes on the form.
(function () {
  "use strict";
  // The Repeat builder (composer and post page): the weekdays only matter "every week", and
  // typing an end date or a number of posts picks that end.
  document.querySelectorAll("[data-repeat]").forEach(function (builder) {
    var freq = builder.querySelector("[data-repeat-freq]");
    var days = builder.querySelector("[data-repeat-days]");
    function showDays() { if (freq && days) days.hidden = freq.value !== "weekly"; }
    if (freq) freq.addEventListener("change", showDays);
    showDays();
    builder.addEventListener("input", function (event) {
      var name = event.target.name;
      var end = name === "repeat_until" ? "until" : name === "repeat_count" ? "count" : "";
      var radio = end && builder.querySelector('input[name="repeat_end"][value="' + end + '"]');
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  var form = document.querySelector("form[data-compose]");
  if (!form) return;

  function changed() {
    // Let htmx re-run the live validation and autosave as if the person had typed.
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function renumber(container) {
    var parts = container.querySelectorAll("[data-part]");
    var scope = container.getAttribute("data-parts");
    parts.forEach(function (part, index) {
      var label = part.querySelector("label");
      var area = part.querySelector("textarea");
      var id = (scope === "shared" ? "" : "c" + scope + "-") + "part-" + index;
      area.id = id;
      label.setAttribute("for", id);
      label.textContent = parts.length > 1
        ? form.getAttribute("data-part-label").replace("{n}", String(index + 1))
        : form.getAttribute("data-text-label");
      var remove = part.querySelector("[data-remove-part]");
      if (parts.length > 1 && !remove) {
        remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.setAttribute("data-remove-part", "");
        remove.textContent = form.getAttribute("data-remove-label");
        part.appendChild(remove);
      } else if (parts.length === 1 && remove) {
        remove.remove();
      }
    });
  }

  function partsOf(button) {
    var box = button.closest("fieldset, details");
    return box && box.querySelector("[data-parts]");
  }

  function addPart(container, text) {
    var last = container.querySelector("[data-part]:last-of-type");
    var clone = last.cloneNode(true);
    clone.querySelector("textarea").value = text || "";
    container.appendChild(clone);
    renumber(container);
    return clone;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-add-part")) {
      event.preventDefault();
      var container = partsOf(button);
      if (!container) return;
      addPart(container, "").querySelector("textarea").focus();
      changed();
    } else if (button.hasAttribute("data-remove-part")) {
      event.preventDefault();
      var part = button.closest("[data-part]");
      var box = part.parentElement;
      part.remove();
      renumber(box);
      changed();
    } else if (button.hasAttribute("data-remove-media")) {
      event.preventDefault();
      button.closest("li").remove();
      changed();
    }
  });

  // Tailoring a channel starts from the shared text as it is now.
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-tailor]") || !box.checked) return;
    var details = box.closest("details");
    var channel = details.getAttribute("data-channel");
    var target = details.querySelector('[data-parts="' + channel + '"]');
    var shared = form.querySelectorAll('[data-parts="shared"] textarea');
    var mine = target.querySelectorAll("[data-part]");
    for (var i = 1; i < mine.length; i++) mine[i].remove();
    target.querySelector("textarea").value = shared[0] ? shared[0].value : "";
    for (var j = 1; j < shared.length; j++) addPart(target, shared[j].value);
    renumber(target);
    var comment = details.querySelector('textarea[name$="-first_comment"]');
    var sharedComment = form.querySelector('textarea[name="first_comment"]');
    if (comment && sharedComment) comment.value = sharedComment.value;
    var link = details.querySelector('input[name$="-link"]');
    var sharedLink = form.querySelector('input[name="link"]');
    if (link && sharedLink) link.value = sharedLink.value;
  });

  // Ctrl+Enter / Cmd+Enter saves the draft.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var save = form.querySelector("[data-save]");
      if (save) save.click();
    }
  });

  // An upload clears the file field (so the form does not send it again) and old errors.
  // A video may take minutes to send: a progress bar shows how far it is.
  var progress = document.getElementById("upload-progress");
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id === "upload") {
      document.querySelectorAll(".media-error").forEach(function (el) { el.remove(); });
      if (progress) { progress.value = 0; progress.hidden = false; }
    }
  });
  document.body.addEventListener("htmx:xhr:progress", function (event) {
    if (event.target.id === "upload" && progress && event.detail.lengthComputable) {
      progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.target.id === "upload") {
      event.target.value = "";
      if (progress) progress.hidden = true;
      changed();
    }
  });
})();
