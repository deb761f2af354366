// The editor's checks panel (templates/editor/_checks_panel.html): a result's location
// ("Finding 1, characters 916–923") goes to its field and selects the span there.
// Without this script the location is still a link to the field.
// The server gives the span in the field's stripped value, counted as the browser counts
// (assessments/check_locations.py); the field's leading white space is added here.
(function () {
  "use strict";

  // The white space Python's str.strip() takes off the start of a field (the form refuses
  // the control characters among it, so they are not listed).
  const LEADING_SPACE = /^[ \t\n\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

  function findSpan(field, start, end, text) {
    const value = field.value;
    const from = LEADING_SPACE.exec(value)[0].length + start;
    const length = end - start;
    if (value.slice(from, from + length) === text) return [from, from + length];
    // Typed since the check ran: the occurrence of the same text nearest to where it was.
    let best = null;
    for (let at = value.indexOf(text); at !== -1 && text; at = value.indexOf(text, at + 1)) {
      if (best === null || Math.abs(at - from) < Math.abs(best - from)) best = at;
    }
    return best === null ? null : [best, best + length];
  }

  function scrollToSpan(field, start) {
    // A textarea does not scroll its own text to a selection made by script: measure
    // how far down the text before the span reaches in a copy of the field.
    if (field.tagName !== "TEXTAREA") return;
    const copy = field.cloneNode(false);
    copy.removeAttribute("id");
    copy.removeAttribute("name");
    copy.setAttribute("aria-hidden", "true");
    copy.tabIndex = -1;
    copy.classList.add("check-measure");
    copy.style.width = `${field.clientWidth}px`;
    copy.value = field.value.slice(0, start);
    field.parentElement.appendChild(copy);
    const top = copy.scrollHeight;
    copy.remove();
    field.scrollTop = Math.max(0, top - field.clientHeight / 2);
  }

  function goToCheck(link) {
    const field = document.getElementById(link.dataset.checkField);
    if (!field || field.closest("[hidden]")) return false;
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    field.classList.add("check-target");
    field.addEventListener("blur", () => field.classList.remove("check-target"), { once: true });
    if (link.dataset.checkStart === undefined || !field.setSelectionRange) return true;
    const span = findSpan(
      field,
      parseInt(link.dataset.checkStart, 10),
      parseInt(link.dataset.checkEnd, 10),
      link.dataset.checkText,
    );
    if (span) {
      field.setSelectionRange(span[0], span[1]);
      scrollToSpan(field, span[0]);
    }
    return true;
  }

  // The panel's answer to an acknowledgement replaces the button that asked: the answer
  // takes the focus the swap dropped (not the focus of someone already typing elsewhere).
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "checks-panel") return;
    const answer = event.target.querySelector("[data-check-answer]");
    const lost = document.activeElement === document.body || !document.activeElement;
    if (!answer) return;
    answer.scrollIntoView({ block: "nearest" });
    if (lost) answer.focus({ preventScroll: true });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("#checks-panel a[data-check-field]");
    if (link && goToCheck(link)) event.preventDefault();
  });
})();
