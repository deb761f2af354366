// The assessment editor's rows: add, remove and reorder findings, recommendations and
// footnotes in the page, and pick a footnote's source from the library search.
// Rows are moved as DOM nodes, so whatever is typed in them stays.
// Removing a recommendation the last edition made shows its form in "Dropped since the
// last edition", which the server renders hidden for each such row, and asks why.
// Also every editor page's confirmations: a form with data-confirm asks before it is sent
// (the Content-Security-Policy allows no inline onsubmit handler).
(function () {
  "use strict";

  function visibleRows(list) {
    return Array.from(list.children).filter((row) => row.matches("[data-row]") && !row.hidden);
  }

  function renumber(list) {
    visibleRows(list).forEach((row, index) => {
      const order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = index + 1;
      const label = row.querySelector("[data-row-number]");
      if (label) label.textContent = index + 1;
    });
  }

  function addRow(prefix) {
    const list = document.querySelector(`[data-formset="${prefix}"]`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const template = document.getElementById(`${prefix}-template`);
    const index = parseInt(total.value, 10);
    list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
    const row = list.lastElementChild;
    if (prefix === "footnote") {
      // Suggest the next free footnote number.
      const numbers = visibleRows(list)
        .map((r) => parseInt(r.querySelector("input[name$='-number']").value, 10))
        .filter((n) => !isNaN(n));
      row.querySelector("input[name$='-number']").value = numbers.length ? Math.max(...numbers) + 1 : 1;
    }
    if (window.htmx) window.htmx.process(row);
    renumber(list);
    const first = row.querySelector("textarea, input:not([type=hidden]):not([type=number])");
    if (first) first.focus();
  }

  function moveRow(row, offset) {
    const list = row.parentElement;
    const rows = visibleRows(list);
    const target = rows[rows.indexOf(row) + offset];
    if (!target) return;
    if (offset < 0) list.insertBefore(row, target);
    else list.insertBefore(target, row);
    renumber(list);
    row.querySelector(`[data-move="${offset}"]`).focus();
  }

  function removeRow(row) {
    const list = row.parentElement;
    row.querySelector("[data-delete]").checked = true;
    row.hidden = true;
    renumber(list);
    if (row.dataset.lineage) askWhyDropped(row.dataset.lineage);
    // The checks beside the text run again on a change of the form (htmx).
    const form = list.closest("form");
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function askWhyDropped(lineage) {
    // A removed recommendation can no longer replace another.
    document.querySelectorAll("[data-dropped] select[name$='-superseded_by']").forEach((select) => {
      const option = Array.from(select.options).find((o) => o.value === lineage);
      if (option) {
        if (option.selected) select.value = "";
        option.remove();
      }
    });
    const item = Array.from(document.querySelectorAll("[data-dropped]")).find(
      (element) => element.dataset.dropped === lineage,
    );
    if (!item) return;
    const section = item.closest("[data-dropped-section]");
    section.hidden = false;
    item.hidden = false;
    section.querySelector("[data-dropped-status]").textContent =
      "Recommendation removed: say why it is dropped, under Dropped since the last edition.";
    const reason = item.querySelector("select[name$='-reason']");
    reason.focus();
  }

  function showSuccessor(reason) {
    // The successor is asked for only when the reason is that another replaces it.
    const field = reason.closest("[data-dropped]").querySelector("[data-successor]");
    if (field) field.hidden = reason.value !== "superseded";
  }

  function pickSource(button) {
    const row = button.closest("[data-row]");
    row.querySelector("input[name$='-source']").value = button.dataset.pickSource;
    row.querySelector("[data-source-label]").textContent = button.dataset.label;
    row.querySelector(".source-results-box").innerHTML = "";
    row.querySelector("input[type=search]").value = "";
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) return addRow(add.dataset.addRow);
    const move = event.target.closest("[data-move]");
    if (move) return moveRow(move.closest("[data-row]"), parseInt(move.dataset.move, 10));
    const remove = event.target.closest("[data-remove-row]");
    if (remove) return removeRow(remove.closest("[data-row]"));
    const pick = event.target.closest("[data-pick-source]");
    if (pick) return pickSource(pick);
  });

  // Enter in the library search looks up sources; it must not save the whole form.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("[data-entry-form] input[type=search]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (event.target.matches("[data-entry-form]")) {
      event.target.querySelectorAll("[data-formset]").forEach(renumber);
    }
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-dropped] select[name$='-reason']")) showSuccessor(event.target);
  });

  // Review comments: words the reviewer selects in the entry become the comment's quote.
  document.addEventListener("mouseup", () => {
    const form = document.querySelector("[data-comment-form]");
    const entry = document.querySelector("#tab-entry");
    const selection = window.getSelection();
    if (!form || !entry || !selection || selection.isCollapsed) return;
    if (!entry.contains(selection.anchorNode) || !entry.contains(selection.focusNode)) return;
    const words = selection.toString().replace(/\s+/g, " ").trim().slice(0, 500);
    if (words) form.querySelector("textarea[name=quote]").value = words;
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-formset]").forEach(renumber);
    document.querySelectorAll("[data-dropped] select[name$='-reason']").forEach(showSuccessor);
  });
})();
