// A scheduled publication's countdown: an element with data-countdown="<ISO time>" shows
// the time left ("in 2 days 03:04:05") and updates every second; past the time it says a
// worker is starting it (the page's polling then shows its progress). The server renders
// the same element with a rounded "in 2 days, 3 hours" for readers without JavaScript.
(function () {
  "use strict";

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  function left(until) {
    const seconds = Math.round((until - Date.now()) / 1000);
    if (seconds <= 0) {
      return "due now: a worker is starting it";
    }
    const days = Math.floor(seconds / 86400);
    const rest = seconds % 86400;
    const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    if (days === 0) {
      return `in ${clock}`;
    }
    return `in ${days} day${days === 1 ? "" : "s"} ${clock}`;
  }

  function tick() {
    document.querySelectorAll("[data-countdown]").forEach((element) => {
      const until = Date.parse(element.dataset.countdown);
      if (!Number.isNaN(until)) {
        element.textContent = left(until);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    window.setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", tick);
  });
})();
