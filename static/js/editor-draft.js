// The edit page never loses typing (templates/editor/edit.html):
// - leaving the page with unsaved changes asks first (not when the form itself is sent);
// - what is typed is kept in this browser (localStorage, one key per revision and version)
//   and offered back ("Restore / Discard") when the page opens again after a crash, a
//   closed tab or a save that bounced, if it differs from the form;
// - before a save the page asks /editor/session/ whether it is still signed in: if not,
//   nothing is sent and the text stays; if so, the form takes the session's CSRF token,
//   which sign-in changes (another tab may have signed in again meanwhile).
// Without JavaScript, or if that question fails, the save is sent as it is: the server
// sends a signed-out browser to sign in, and this page offers the kept text back after.
// Kept apart from editor.js (the rows): this file only reads and writes the form's fields,
// adding or removing rows by pressing the rows' own buttons.
(function () {
  "use strict";

  const PREFIX = "outlook-draft:";
  const SUBMITTED = "outlook-draft-submitted:";
  const KEPT_DAYS = 30;
  // Fields never kept or restored: the token is the session's, the version the page's.
  const SKIPPED = /^(csrfmiddlewaretoken|version|.*-(INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS))$/;

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // Storage refused (a browser setting): the guard still asks before leaving.
    }
  }

  // --- The form's fields as a plain object {name: value} --------------------------------

  function fieldsOf(form) {
    const fields = {};
    Array.from(form.elements).forEach((element) => {
      const name = element.name;
      if (!name || SKIPPED.test(name) || element.type === "search") return;
      if (["submit", "button", "reset", "file"].includes(element.type)) return;
      if (element.type === "checkbox") fields[name] = element.checked ? element.value || "on" : "";
      else if (element.type === "radio") {
        if (!(name in fields)) fields[name] = "";
        if (element.checked) fields[name] = element.value;
      } else if (element.type === "select-multiple") {
        fields[name] = Array.from(element.selectedOptions, (option) => option.value).join("\n");
      } else fields[name] = element.value;
    });
    return fields;
  }

  function sameFields(a, b) {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    return Array.from(names).every((name) => (a[name] || "") === (b[name] || ""));
  }

  function sourceLabels(form) {
    // A footnote's chosen source shows as text beside its hidden field: kept with it.
    const labels = {};
    form.querySelectorAll("[data-row]").forEach((row) => {
      const source = row.querySelector("input[name$='-source']");
      const label = row.querySelector("[data-source-label]");
      if (source && label && source.value) labels[source.name] = label.innerHTML;
    });
    return labels;
  }

  // --- Putting kept text back into the form ----------------------------------------------

  function press(button) {
    if (button) button.click(); // editor.js adds, removes or shows what goes with it.
  }

  function restoreRows(form, fields) {
    form.querySelectorAll("[data-formset]").forEach((list) => {
      const prefix = list.dataset.formset;
      const total = form.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
      const wanted = parseInt(fields[`${prefix}-TOTAL_FORMS`], 10);
      if (!total || isNaN(wanted)) return;
      while (parseInt(total.value, 10) < wanted) {
        const before = total.value;
        press(form.querySelector(`[data-add-row="${prefix}"]`));
        if (total.value === before) break;
      }
      Array.from(list.children).forEach((row) => {
        const remove = row.querySelector("[data-delete]");
        if (!remove || row.hidden) return;
        const index = parseInt(remove.name.split("-")[1], 10);
        if (fields[remove.name] || index >= wanted) press(row.querySelector("[data-remove-row]"));
      });
    });
  }

  function setField(form, name, value) {
    const item = form.elements.namedItem(name);
    if (!item) return;
    const elements = item instanceof RadioNodeList ? Array.from(item) : [item];
    elements.forEach((element) => {
      if (element.type === "checkbox") element.checked = value !== "";
      else if (element.type === "radio") element.checked = element.value === value;
      else if (element.type === "select-multiple") {
        const values = value.split("\n");
        Array.from(element.options).forEach((o) => (o.selected = values.includes(o.value)));
      } else element.value = value;
    });
  }

  function reorder(form) {
    // Rows in the order their ORDER fields say, as the user had moved them.
    form.querySelectorAll("[data-formset]").forEach((list) => {
      const order = (row) => {
        const field = row.querySelector("input[name$='-ORDER']");
        return row.hidden ? Infinity : parseInt(field && field.value, 10) || Infinity;
      };
      const rows = Array.from(list.children).filter((row) => row.matches("[data-row]"));
      rows
        .map((row, index) => [order(row), index, row])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .forEach(([, , row]) => list.appendChild(row));
      rows
        .filter((row) => !row.hidden)
        .forEach((row) => {
          const label = row.querySelector("[data-row-number]");
          if (label) label.textContent = Array.from(list.children).indexOf(row) + 1;
        });
    });
  }

  function restore(form, kept) {
    restoreRows(form, kept.fields);
    Object.entries(kept.fields).forEach(([name, value]) => {
      if (!/-(DELETE|TOTAL_FORMS)$/.test(name)) setField(form, name, value);
    });
    Object.entries(kept.labels || {}).forEach(([name, html]) => {
      const source = form.elements.namedItem(name);
      const label = source && source.closest("[data-row]").querySelector("[data-source-label]");
      if (label) label.innerHTML = html;
    });
    reorder(form);
    // A dropped recommendation with a reason, and a new source being typed, show.
    form.querySelectorAll("[data-dropped] select[name$='-reason']").forEach((reason) => {
      if (!reason.value) return;
      const item = reason.closest("[data-dropped]");
      item.hidden = false;
      item.closest("[data-dropped-section]").hidden = false;
      reason.dispatchEvent(new Event("change", { bubbles: true }));
    });
    form.querySelectorAll("[data-row] details").forEach((details) => {
      const typed = Array.from(details.querySelectorAll("input, textarea")).some((f) => f.value);
      if (typed) details.open = true;
    });
    // The checks beside the text run again (htmx listens for a change of the form).
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // --- The page -----------------------------------------------------------------------

  function clock(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function setUp(form) {
    const local = storage("localStorage");
    const session = storage("sessionStorage");
    const revision = form.dataset.draftRevision;
    const version = parseInt(form.dataset.draftVersion, 10);
    const key = `${PREFIX}${revision}:${version}`;
    const baseline = fieldsOf(form);
    let bounced = form.hasAttribute("data-draft-unsaved"); // The server sent back unsaved text.
    let offered = null; // The key of kept text offered back, until the user answers.
    let sending = false;
    let checking = false;
    let timer = null;

    const dirty = () => bounced || !sameFields(fieldsOf(form), baseline);

    function keep() {
      clearTimeout(timer);
      if (!local || offered) return; // Kept text waits for an answer before it is replaced.
      try {
        if (dirty()) {
          const copy = { savedAt: new Date().toISOString(), version, fields: fieldsOf(form) };
          copy.labels = sourceLabels(form);
          local.setItem(key, JSON.stringify(copy));
        } else local.removeItem(key);
      } catch (error) {
        // Full or refused: the guard before leaving still protects the text.
      }
    }

    function keepSoon() {
      clearTimeout(timer);
      timer = setTimeout(keep, 400);
    }

    function keptCopies() {
      if (!local) return [];
      const now = Date.now();
      const copies = [];
      for (let i = local.length - 1; i >= 0; i--) {
        const name = local.key(i);
        if (!name || !name.startsWith(PREFIX)) continue;
        let copy = null;
        try {
          copy = JSON.parse(local.getItem(name));
        } catch (error) {
          copy = null;
        }
        if (!copy || !copy.fields || now - Date.parse(copy.savedAt) > KEPT_DAYS * 864e5) {
          local.removeItem(name);
        } else if (name.startsWith(`${PREFIX}${revision}:`)) copies.push([name, copy]);
      }
      return copies;
    }

    function forgetSavedCopy() {
      // This tab sent a save of version N: if the page is now at a later version, it was
      // stored, and its copy is no longer needed. At N still, it bounced: the copy stays.
      if (!session) return;
      const sent = parseInt(session.getItem(SUBMITTED + revision), 10);
      session.removeItem(SUBMITTED + revision);
      if (local && !isNaN(sent) && sent < version) local.removeItem(`${PREFIX}${revision}:${sent}`);
    }

    function offer() {
      const current = fieldsOf(form);
      const copies = keptCopies().filter(([name, copy]) => {
        if (copy.version > version) return false; // A page older than the copy: not here.
        if (!sameFields(copy.fields, current)) return true;
        local.removeItem(name);
        return false;
      });
      if (!copies.length) return;
      copies.sort((a, b) => Date.parse(b[1].savedAt) - Date.parse(a[1].savedAt));
      const [name, copy] = copies[0];
      const box = document.getElementById("draft-restore");
      if (!box) return;
      box.querySelector("[data-draft-time]").textContent = clock(new Date(copy.savedAt));
      box.querySelector("[data-draft-older]").hidden = copy.version >= version;
      box.querySelector("[data-draft-older-version]").textContent = copy.version;
      offered = name;
      box.hidden = false;
      box.querySelector("[data-draft-restore]").addEventListener("click", () => {
        box.hidden = true;
        restore(form, copy);
        offered = null;
        if (name !== key) local.removeItem(name);
        keep();
        const first = form.querySelector("textarea, select, input:not([type=hidden])");
        if (first) first.focus();
      });
      box.querySelector("[data-draft-discard]").addEventListener("click", () => {
        box.hidden = true;
        local.removeItem(name);
        offered = null;
        keep();
        form.querySelector("textarea, select, input:not([type=hidden])")?.focus();
      });
    }

    function showSignedOut(shown) {
      const message = document.getElementById("signed-out");
      if (message) message.hidden = !shown;
    }

    function useToken(token) {
      document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => {
        input.value = token;
      });
    }

    async function signedIn() {
      // true, false, or null when the question got no clear answer (then the server decides).
      const controller = new AbortController();
      const timeout = setTimeout(() => controller.abort(), 5000);
      try {
        const response = await fetch(form.dataset.sessionUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          cache: "no-store",
          signal: controller.signal,
        });
        if (!response.ok) return null;
        const answer = await response.json();
        if (answer.signed_in && answer.csrf_token) useToken(answer.csrf_token);
        return answer.signed_in === true ? true : answer.signed_in === false ? false : null;
      } catch (error) {
        return null;
      } finally {
        clearTimeout(timeout);
      }
    }

    form.addEventListener("submit", async (event) => {
      if (event.defaultPrevented) return;
      if (form.dataset.sessionChecked) {
        // Asked and answered: this submission goes.
        delete form.dataset.sessionChecked;
        offered = null;
        keep();
        if (session) session.setItem(SUBMITTED + revision, String(version));
        sending = true;
        return;
      }
      event.preventDefault();
      if (checking) return;
      checking = true;
      const submitter = event.submitter;
      keep();
      const answer = await signedIn();
      checking = false;
      if (answer === false) {
        showSignedOut(true);
        bounced = true; // Whatever happens now, this text is not stored.
        return;
      }
      showSignedOut(false);
      form.dataset.sessionChecked = "yes";
      if (submitter && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });

    // A request of the page's own (the checks as typed, a preview) sent to sign in: the
    // sign-in page is not swapped into the panel; the page says the session ended.
    const loginPath = form.dataset.loginUrl;
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      const url = event.detail.xhr && event.detail.xhr.responseURL;
      if (loginPath && url && new URL(url).pathname === loginPath) {
        event.detail.shouldSwap = false;
        showSignedOut(true);
      }
    });
    // Back from signing in elsewhere: the message goes, and the page takes the new token.
    window.addEventListener("focus", async () => {
      const message = document.getElementById("signed-out");
      if (message && !message.hidden && (await signedIn()) === true) showSignedOut(false);
    });

    form.addEventListener("input", keepSoon);
    form.addEventListener("change", keepSoon);
    form.addEventListener("click", keepSoon); // Rows added, moved or removed.
    window.addEventListener("pagehide", () => {
      if (!sending) keep();
    });
    window.addEventListener("beforeunload", (event) => {
      if (sending || !dirty()) return;
      keep();
      event.preventDefault();
      event.returnValue = ""; // Older browsers ask only when this is set.
    });

    forgetSavedCopy();
    offer();
    if (bounced) keep();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form[data-draft-revision]");
    if (form) setUp(form);
  });
})();
