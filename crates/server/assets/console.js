// Steward console: the few behaviours a form cannot do by itself (dialogs, the
// selection of rows). No inline scripts: the pages' policy forbids them.
(function () {
  "use strict";

  function openDialog(id) {
    var d = document.getElementById(id);
    if (d && !d.open) d.showModal();
    return d;
  }

  // Fill the delete dialog with the people about to be deleted and open it.
  function confirmDelete(people) {
    var d = document.getElementById("delete-dialog");
    if (!d || people.length === 0) return;
    var list = d.querySelector("[data-delete-list]");
    var inputs = d.querySelector("[data-delete-inputs]");
    list.textContent = "";
    inputs.textContent = "";
    people.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p.name + " (" + p.email + ")";
      list.appendChild(li);
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "user_ids";
      input.value = p.id;
      inputs.appendChild(input);
    });
    var count = d.querySelector("[data-delete-count]");
    if (count) count.textContent = people.length === 1 ? "1 user" : people.length + " users";
    d.showModal();
  }

  function person(el) {
    return { id: el.dataset.userId, name: el.dataset.name, email: el.dataset.email };
  }

  function selectedRows() {
    return Array.prototype.slice
      .call(document.querySelectorAll("input[data-select-row]:checked"))
      .map(person);
  }

  function refreshSelection() {
    var n = selectedRows().length;
    document.querySelectorAll("[data-bulk-delete]").forEach(function (b) {
      b.disabled = n === 0;
      b.textContent = n === 0 ? "Delete selected" : "Delete selected (" + n + ")";
    });
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-dialog-open],[data-dialog-close],[data-delete-one],[data-bulk-delete]");
    if (!t) return;
    if (t.hasAttribute("data-dialog-open")) {
      e.preventDefault();
      openDialog(t.getAttribute("data-dialog-open"));
    } else if (t.hasAttribute("data-dialog-close")) {
      e.preventDefault();
      var d = t.closest("dialog");
      if (d) d.close();
    } else if (t.hasAttribute("data-delete-one")) {
      e.preventDefault();
      confirmDelete([person(t)]);
    } else if (t.hasAttribute("data-bulk-delete")) {
      e.preventDefault();
      confirmDelete(selectedRows());
    }
  });

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches("input[data-select-all]")) {
      document.querySelectorAll("input[data-select-row]:not(:disabled)").forEach(function (c) {
        c.checked = t.checked;
      });
    }
    if (t.matches("input[data-select-row], input[data-select-all]")) refreshSelection();
    // Selects marked data-navigate go to the chosen address (filters, the org switcher).
    if (t.matches("select[data-autosubmit]") && t.form) t.form.requestSubmit();
  });

  // The upload's progress bar (the CSV import's preview).
  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = document.getElementById("upload-progress");
    if (bar && e.detail.lengthComputable) {
      bar.max = e.detail.total;
      bar.value = e.detail.loaded;
    }
  });

  // Escape closes the open menu (organization selector, user menu) and puts
  // the focus back on its button; dialogs close on Escape by themselves.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (m) {
      m.open = false;
      var s = m.querySelector("summary");
      if (s && m.contains(document.activeElement)) s.focus();
    });
  });

  // A click outside an open menu closes it, as a menu does elsewhere.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.menu[open]").forEach(function (m) {
      if (!m.contains(e.target)) m.open = false;
    });
  });

  // A table wider than the screen scrolls sideways; keyboard users scroll it
  // once it takes focus, so a scrolling table is a focusable, named region
  // (and one that fits is not an extra tab stop).
  function scrollableTables() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      if (w.scrollWidth > w.clientWidth + 1) {
        w.tabIndex = 0;
        w.setAttribute("role", "region");
        var t = w.querySelector("table");
        var name = (t && (t.getAttribute("aria-label") || (t.caption && t.caption.textContent))) || "Table";
        w.setAttribute("aria-label", name.trim() + " (scrolls sideways)");
      } else if (w.hasAttribute("tabindex")) {
        w.removeAttribute("tabindex");
        w.removeAttribute("role");
        w.removeAttribute("aria-label");
      }
    });
  }
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("DOMContentLoaded", scrollableTables);
  document.addEventListener("htmx:afterSwap", scrollableTables);

  document.addEventListener("DOMContentLoaded", refreshSelection);
  document.addEventListener("htmx:afterSwap", refreshSelection);
})();

// --- Users (issue 16: the edit panel, invitations) ---------------------------
// A row's Edit (or a click on the row) opens the member's edit panel in a
// dialog; nothing changes before Save. Without script, Edit is a page.
(function () {
  "use strict";
  var opener = null;

  function firstField(d) {
    return d.querySelector("input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)") ||
      d.querySelector("button:not(:disabled)");
  }

  function openEditPanel(link) {
    var d = document.getElementById("edit-dialog");
    if (!d) return false;
    opener = link;
    var href = link.getAttribute("href");
    fetch(href + "/panel", { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("the panel answered " + r.status);
        return r.text();
      })
      .then(function (html) {
        d.innerHTML = html;
        if (!d.open) d.showModal();
        var f = firstField(d);
        if (f) f.focus();
      })
      .catch(function () { window.location.href = href; });
    return true;
  }

  document.addEventListener("click", function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest("a[data-edit-user]");
    if (!link) {
      var row = e.target.closest("tr[data-edit-row]");
      if (!row || e.target.closest("a, button, input, select, textarea, label")) return;
      link = row.querySelector("a[data-edit-user]");
      if (!link) return;
    }
    e.preventDefault();
    openEditPanel(link);
  });

  // The dialog closed (Escape, Cancel): the focus goes back to the row's Edit.
  document.addEventListener("close", function (e) {
    var d = e.target;
    if (!d || d.id !== "edit-dialog") return;
    var back = opener;
    opener = null;
    d.textContent = "";
    if (back) setTimeout(function () { back.focus(); }, 0);
  }, true);

  // Copy a link: the clipboard, and "Copied" said to screen readers.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-copy]");
    if (!b) return;
    var source = document.querySelector(b.getAttribute("data-copy"));
    var status = b.parentElement.querySelector("[data-copy-status]");
    var say = function (text) { if (status) status.textContent = text; };
    var text = source ? source.textContent.trim() : "";
    if (!navigator.clipboard) {
      say("Copying is not available here: select the text and copy it.");
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () { say("Copied"); },
      function () { say("Copying was refused: select the text and copy it."); }
    );
  });
})();

// Issue 16, part C: organization settings. The delete dialog's button stays
// greyed until the organization's name is typed exactly.
(function () {
  "use strict";
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches("input[data-confirm-name]")) return;
    var button = t.form && t.form.querySelector("[data-confirm-target]");
    if (button) button.disabled = t.value.trim() !== t.getAttribute("data-confirm-name");
  });
})();
