// The proctor's live board: every seat of the session, refreshed from the
// board API every few seconds without reloading the page; a click on a seat
// opens its timeline, snapshots and photos, and the actions (each through the
// server, which records who did what).

const board = document.getElementById("board");
// The page may be served without the JavaScript catalogue: then English.
const gettext = window.gettext || ((text) => text);
const csrfToken = board.querySelector("[name=csrfmiddlewaretoken]").value;
const seatsList = document.getElementById("board-seats");
const updated = document.getElementById("board-updated");
const detail = document.getElementById("board-detail");
const actions = document.getElementById("board-actions");
const actionStatus = document.getElementById("board-action-status");
const POLL_MS = Math.max(1, Number(board.dataset.pollSeconds)) * 1000;

let selected = null; // the attempt id whose detail is open
let seats = [];

const url = (name, id) => board.dataset[name].replace("/0/", `/${id}/`);

function clock(seconds) {
  if (seconds === null) return "";
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function seatItem(seat) {
  const button = element("button", { type: "button", className: `board-seat severity-${seat.worst}` });
  button.dataset.attempt = seat.attempt ?? "";
  button.append(
    element("span", { className: "board-seat__number" }, seat.seat),
    element("span", { className: "board-seat__name" }, seat.name),
    element(
      "span",
      { className: "board-seat__state" },
      seat.status_display ?? seat.booking_status,
      seat.paused ? ` · ${gettext("paused")}` : "",
    ),
    element("span", { className: "board-seat__time" }, clock(seat.remaining_seconds)),
  );
  if (seat.last_snapshot) {
    button.append(
      element("img", {
        src: url("snapshotUrl", seat.last_snapshot),
        alt: gettext("Latest snapshot"),
        width: 120,
        height: 90,
        loading: "lazy",
      }),
    );
  }
  const flags = element("ul", { className: "board-seat__flags" });
  for (const flag of seat.flags) {
    flags.append(
      element("li", { className: `severity-${flag.severity}` }, flag.kind_display, flag.count > 1 ? ` ×${flag.count}` : ""),
    );
  }
  button.append(flags);
  button.disabled = !seat.attempt;
  button.addEventListener("click", () => open(seat));
  return element("li", {}, button);
}

async function refresh() {
  try {
    const response = await fetch(board.dataset.boardUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      // Keep the images already shown: a new one is fetched (and logged) only
      // when a seat has a new snapshot.
      const before = new Map(seats.map((seat) => [seat.booking, seat]));
      seats = data.seats;
      const items = seats.map((seat) => {
        const old = before.get(seat.booking);
        const existing = seatsList.querySelector(`[data-booking="${seat.booking}"]`);
        if (existing && old && JSON.stringify(old) === JSON.stringify(seat)) return existing;
        const item = seatItem(seat);
        item.dataset.booking = seat.booking;
        return item;
      });
      seatsList.replaceChildren(...items);
      updated.textContent = `${gettext("Updated")} ${new Date(data.now).toLocaleTimeString()}`;
      if (selected) loadTimeline(selected);
    } else {
      updated.textContent = gettext("The board could not be updated.");
    }
  } catch {
    updated.textContent = gettext("No connection: the board is not up to date.");
  }
  setTimeout(refresh, POLL_MS);
}

function open(seat) {
  selected = seat.attempt;
  detail.hidden = false;
  document.getElementById("board-detail-title").textContent = `${seat.seat} · ${seat.name}`;
  for (const [photo, name] of [["registered", "registeredPhotoUrl"], ["check-in", "checkInPhotoUrl"]]) {
    const img = detail.querySelector(`[data-photo="${photo}"]`);
    img.closest("figure").hidden = false;
    img.onerror = () => {
      img.closest("figure").hidden = true; // no such photo (never taken, or deleted)
    };
    img.src = url(name, seat.booking);
  }
  const latest = detail.querySelector('[data-photo="latest"]');
  latest.hidden = !seat.last_snapshot;
  if (seat.last_snapshot) latest.src = url("snapshotUrl", seat.last_snapshot);
  loadTimeline(seat.attempt);
}

let shownSnapshots = "";

async function loadTimeline(attempt) {
  const response = await fetch(url("timelineUrl", attempt), { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const data = await response.json();
  const entries = [
    ...data.incidents.map((incident) => ({
      at: incident.first_at,
      text: `${incident.severity_display} · ${incident.kind_display}${incident.count > 1 ? ` ×${incident.count}` : ""} · ${incident.reason}`,
      severity: incident.severity,
    })),
    ...data.messages.map((message) => ({ at: message.sent_at, text: `✉ ${message.text}`, severity: 0 })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  document.getElementById("board-timeline").replaceChildren(
    ...entries.map((entry) =>
      element("li", { className: `severity-${entry.severity}` }, `${new Date(entry.at).toLocaleTimeString()} ${entry.text}`),
    ),
  );
  const ids = data.snapshots.map((snapshot) => snapshot.id).join(",");
  if (ids !== shownSnapshots) {
    shownSnapshots = ids;
    document.getElementById("board-snapshots").replaceChildren(
      ...data.snapshots.slice(-12).map((snapshot) =>
        element(
          "li",
          {},
          element("img", { src: url("snapshotUrl", snapshot.id), alt: "", width: 120, height: 90, loading: "lazy" }),
          element("br"),
          `${new Date(snapshot.taken_at).toLocaleTimeString()} · ${gettext("faces")}: ${snapshot.face_count ?? "…"}`,
        ),
      ),
    );
  }
}

async function act(action) {
  if (!selected) return;
  const text = actions.elements.text.value.trim();
  const bodies = {
    message: ["messageUrl", { text }],
    pause: ["pauseUrl", { reason: text }],
    resume: ["resumeUrl", { reason: text }],
    "extra-time": ["extraTimeUrl", { minutes: Number(actions.elements.minutes.value), reason: text }],
    irregularity: ["irregularityUrl", { category: actions.elements.category.value, note: text }],
    terminate: ["terminateUrl", { reason: text }],
  };
  if (action === "terminate" && !window.confirm(gettext("Terminate this attempt?"))) return;
  const [name, body] = bodies[action];
  const response = await fetch(url(name, selected), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify(body),
  });
  const result = await response.json().catch(() => ({}));
  actionStatus.textContent = response.ok ? gettext("Done.") : result.error?.message || gettext("Not done.");
  if (response.ok) actions.elements.text.value = "";
}

actions.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button) act(button.dataset.action);
});

refresh();
