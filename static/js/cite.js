// Citations ready to copy (templates/public/_cite.html): without JavaScript the reader
// selects the text of the read-only field; with it, a button beside it copies the
// citation, and a status beside the button says so (screen readers hear it too).
(function () {
  "use strict";

  function copy(field, status) {
    field.select();
    const said = (text) => {
      status.textContent = text;
      setTimeout(() => (status.textContent = ""), 4000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        () => said("Copied."),
        // Refused (no permission): the text stays selected for the reader to copy.
        () => said("Selected: copy it with Ctrl+C."),
      );
    } else {
      said(document.execCommand("copy") ? "Copied." : "Selected: copy it with Ctrl+C.");
    }
  }

  document.querySelectorAll("textarea.citation").forEach((field) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm mt-1";
    button.textContent = "Copy citation";
    const status = document.createElement("span");
    status.className = "small ms-2";
    status.setAttribute("role", "status");
    button.addEventListener("click", () => copy(field, status));
    field.addEventListener("focus", () => field.select());
    field.after(button, status);
  });
})();
