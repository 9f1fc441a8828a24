// Countdown to a campaign's start. The server renders "Starts in N days"; this
// keeps it true between page loads (cached pages can be minutes old) and adds
// hours when less than a day is left. Strings come from Django's JS catalogue.
const { ngettext, interpolate } = window;

function describe(ms) {
  const hours = Math.floor(ms / 3.6e6);
  const days = Math.floor(hours / 24);
  if (days >= 1) {
    return interpolate(ngettext("Starts in %s day", "Starts in %s days", days), [days]);
  }
  return interpolate(ngettext("Starts in %s hour", "Starts in %s hours", Math.max(hours, 1)), [Math.max(hours, 1)]);
}

for (const element of document.querySelectorAll("[data-countdown]")) {
  const start = Date.parse(element.dataset.countdown);
  const text = element.querySelector("[data-countdown-text]");
  const tick = () => {
    const left = start - Date.now();
    if (left <= 0) {
      element.hidden = true;
      return;
    }
    if (typeof ngettext === "function") text.textContent = describe(left);
  };
  tick();
  setInterval(tick, 60_000);
}
