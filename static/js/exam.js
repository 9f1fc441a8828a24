// The exam page (exams/exam_views.py renders the paper; exams/delivery.py keeps
// the rules). Three things happen here:
//
// - Each answer is saved as it is given. It goes first into a journal in
//   localStorage, so that a reload, a crash or a lost connection loses
//   nothing, then to the server, one save after another in the order given.
//   Each save carries a client id (a retry of it changes nothing) and a
//   sequence number (an older save never overwrites a newer one), so sending
//   again whatever is still in the journal is always safe. A save leaves the
//   journal only when the server has answered it.
// - The clock is the server's. The page counts down between the server's
//   answers with performance.now(), which the computer's clock cannot move,
//   and asks the server for the time left every few seconds.
// - One page at a time: this page claims the attempt with a page token, and
//   stops as soon as the server says another page has claimed it.

const exam = document.getElementById("exam");
const csrfToken = exam.querySelector("[name=csrfmiddlewaretoken]").value;
const urls = {
  start: exam.dataset.startUrl,
  state: exam.dataset.stateUrl,
  answers: exam.dataset.answersUrl,
  submit: exam.dataset.submitUrl,
  result: exam.dataset.resultUrl,
};
const POLL_MS = Math.max(1, Number(exam.dataset.pollSeconds) || 15) * 1000;
const onePerScreen = exam.dataset.onePerScreen === "true";
const JOURNAL_KEY = `ankang.exam.${exam.dataset.attempt}.journal`;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const WARN_SECONDS = [
  [60, () => gettext("Less than 1 minute left.")],
  [600, () => gettext("Less than 10 minutes left.")],
];

const bar = exam.querySelector(".exam-bar");
const layout = exam.querySelector(".exam-layout");
const controls = exam.querySelector(".exam-controls");
const timer = document.getElementById("exam-timer");
const warning = document.getElementById("exam-warning");
const saveStatus = document.getElementById("save-status");
const navPanel = document.getElementById("exam-navigator");
const prevButton = document.getElementById("exam-prev");
const nextButton = document.getElementById("exam-next");
const reviewButton = document.getElementById("exam-review");
const reviewPanel = document.getElementById("exam-review-panel");
const reviewLists = reviewPanel.querySelector("[data-review-lists]");
const confirmStep = reviewPanel.querySelector("[data-confirm-step]");
const submitButton = document.getElementById("exam-submit");
const confirmButton = document.getElementById("exam-confirm-submit");
const submitStatus = reviewPanel.querySelector("[data-submit-status]");
const overlay = document.getElementById("exam-overlay");
const overlayMessage = overlay.querySelector("[data-overlay-message]");

const sections = [...exam.querySelectorAll(".exam-question")];
const positions = sections.map((section) => Number(section.dataset.position));
const sectionAt = new Map(sections.map((section) => [Number(section.dataset.position), section]));
const navButtonAt = new Map(
  [...navPanel.querySelectorAll("button[data-position]")].map((button) => [
    Number(button.dataset.position),
    button,
  ]),
);
// What the server had stored for each question when the page was drawn (its save's sequence).
const serverSequence = new Map(
  sections.map((section) => [Number(section.dataset.position), Number(section.dataset.savedSequence) || 0]),
);

let page = exam.dataset.page || null;
let sequence = Number(exam.dataset.sequence) || 0;
let current = positions[0];
let paused = false;
let stopped = null; // "taken_over", "closed" or "refused": this page has nothing more to do
let handingIn = false;
let connectionLost = false;
let clock = {
  remaining: Number(exam.dataset.remaining) || 0,
  at: performance.now(),
  paused: exam.dataset.paused === "true",
};
const warned = new Set();
let timeUpCheck = null;
let pollTimer = null;
let polling = false;
let sending = false;
let inFlight = null; // the client id of the save on its way
let retryTimer = null;
let retryDelay = RETRY_FIRST_MS;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }

  // Worth sending again later: no connection, a busy or failing server.
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

async function api(url, { method = "POST", body = null } = {}) {
  const headers = {
    Accept: "application/json",
    // The API answers in the page's language.
    "Accept-Language": document.documentElement.lang,
  };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: method === "GET" ? undefined : JSON.stringify(body || {}),
    });
  } catch {
    throw new ApiError(gettext("Something went wrong. Reload the page."), 0, "network");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(
      data.error?.message || gettext("Something went wrong. Reload the page."),
      response.status,
      data.error?.code || "error",
    );
  }
  return data;
}

function newClientId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  // randomUUID needs HTTPS; a test centre's LAN may serve plain HTTP.
  const bytes = new Uint8Array(16);
  if (window.crypto?.getRandomValues) window.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------
// The journal: saves not yet answered by the server, by client id
// ---------------------------------------------------------------------------

const journal = (() => {
  // Without localStorage (a private window, a full disk) the journal lives as
  // long as the page does.
  let storable = true;
  let memory = {};

  function load() {
    if (!storable) return { ...memory };
    try {
      return JSON.parse(window.localStorage.getItem(JOURNAL_KEY) || "{}") || {};
    } catch (error) {
      if (error instanceof SyntaxError) return {};
      storable = false;
      return { ...memory };
    }
  }

  function store(entries) {
    memory = entries;
    if (!storable) return;
    try {
      if (Object.keys(entries).length) window.localStorage.setItem(JOURNAL_KEY, JSON.stringify(entries));
      else window.localStorage.removeItem(JOURNAL_KEY);
    } catch {
      storable = false;
    }
  }

  return {
    // Oldest first: the order they were given in.
    entries: () => Object.values(load()).sort((a, b) => a.sequence - b.sequence),
    size: () => Object.keys(load()).length,
    add(entry, { keep = null } = {}) {
      const entries = load();
      // A later answer to the same question says all there is to say about
      // it: an earlier one not yet on its way need not be sent at all.
      for (const [id, other] of Object.entries(entries)) {
        if (other.position === entry.position && id !== keep) delete entries[id];
      }
      entries[entry.client_id] = entry;
      store(entries);
    },
    remove(clientId) {
      const entries = load();
      delete entries[clientId];
      store(entries);
    },
    clear: () => store({}),
    highest(position = null) {
      return this.entries()
        .filter((entry) => position === null || entry.position === position)
        .reduce((highest, entry) => Math.max(highest, entry.sequence), 0);
    },
  };
})();

// ---------------------------------------------------------------------------
// Questions and answers
// ---------------------------------------------------------------------------

const inputsOf = (section) => [...section.querySelectorAll(".exam-options input")];
const flagOf = (section) => section.querySelector(".flag-toggle");

function answerOf(section) {
  return {
    selected: inputsOf(section).filter((input) => input.checked).map((input) => Number(input.value)),
    flagged: flagOf(section).getAttribute("aria-pressed") === "true",
  };
}

function refresh(section) {
  const { selected, flagged } = answerOf(section);
  const button = navButtonAt.get(Number(section.dataset.position));
  button.classList.toggle("is-answered", selected.length > 0);
  button.classList.toggle("is-flagged", flagged);
  section.querySelector(".exam-clear").hidden = selected.length === 0;
}

function showAnswer(section, { selected, flagged }) {
  for (const input of inputsOf(section)) input.checked = selected.includes(Number(input.value));
  flagOf(section).setAttribute("aria-pressed", String(Boolean(flagged)));
  refresh(section);
}

function record(section) {
  if (handingIn || stopped) return;
  sequence = Math.max(sequence, journal.highest()) + 1;
  journal.add(
    { client_id: newClientId(), sequence, position: Number(section.dataset.position), ...answerOf(section) },
    { keep: inFlight },
  );
  refresh(section);
  renderSaveStatus();
  send();
}

function renderSaveStatus() {
  let state = "saved";
  if (journal.size()) state = connectionLost || !window.navigator.onLine ? "offline" : "saving";
  const text = {
    saved: () => gettext("All answers saved"),
    saving: () => gettext("Saving…"),
    offline: () => gettext("Offline — your answers are kept on this device"),
  }[state]();
  saveStatus.dataset.state = state;
  // A live region: rewriting the same words would have screen readers repeat them.
  if (saveStatus.textContent !== text) saveStatus.textContent = text;
}

// ---------------------------------------------------------------------------
// Sending the journal, in order
// ---------------------------------------------------------------------------

async function send() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (sending || !page || paused || stopped) return;
  sending = true;
  renderSaveStatus();
  try {
    for (let entry = journal.entries()[0]; entry; entry = journal.entries()[0]) {
      if (paused || stopped) return;
      inFlight = entry.client_id;
      let saved;
      try {
        saved = await api(urls.answers, { body: { page, ...entry } });
      } catch (error) {
        if (!refused(error, entry)) return;
        continue;
      } finally {
        inFlight = null;
      }
      connectionLost = false;
      retryDelay = RETRY_FIRST_MS;
      journal.remove(entry.client_id);
      adopt(saved);
    }
  } finally {
    sending = false;
    renderSaveStatus();
  }
}

// What the server stored (ours, or a newer one, or one a retry found there)
// is shown unless a still newer answer of this page is on its way.
function adopt(saved) {
  const position = saved.position;
  serverSequence.set(position, Math.max(serverSequence.get(position) || 0, saved.saved_sequence));
  const section = sectionAt.get(position);
  if (section && journal.highest(position) < saved.saved_sequence) showAnswer(section, saved);
}

// A save the server did not take. True: carry on with the next one.
function refused(error, entry) {
  if (error.retryable) {
    connectionLost = true;
    retryTimer = setTimeout(send, retryDelay * (0.75 + Math.random() / 2));
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    return false;
  }
  switch (error.code) {
    case "taken_over":
      takenOver(error.message);
      return false;
    case "paused":
      pause();
      return false;
    case "time_up":
      // Nothing more can be saved: hand in what the server has.
      journal.clear();
      handIn();
      return false;
    case "attempt_closed":
      closed();
      return false;
    default:
      break;
  }
  if (error.status === 400) {
    // This save can never be taken (it names no such option, say): drop it
    // rather than hold back every answer after it.
    journal.remove(entry.client_id);
    return true;
  }
  // Signed out, or no longer theirs: keep the journal, say why, and stop
  // taking answers that could not be sent.
  refuse(error.message);
  return false;
}

function refuse(message) {
  if (stopped) return;
  stop("refused");
  freeze();
  overlay.querySelector("[data-refused-message]").textContent = message;
  showOverlay("refused");
}

// ---------------------------------------------------------------------------
// The clock and the server's state
// ---------------------------------------------------------------------------

function formatClock(totalSeconds) {
  const seconds = Math.max(0, totalSeconds);
  const h = Math.floor(seconds / 3600);
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

function secondsLeft() {
  if (clock.paused) return clock.remaining;
  return Math.max(0, clock.remaining - (performance.now() - clock.at) / 1000);
}

function syncClock(state) {
  clock = { remaining: state.remaining_seconds ?? 0, at: performance.now(), paused: Boolean(state.paused) };
  tick();
}

function tick() {
  const left = Math.ceil(secondsLeft());
  if (timer.dataset.remaining !== String(left)) {
    timer.dataset.remaining = String(left);
    timer.textContent = formatClock(left);
  }
  timer.classList.toggle("is-warning", left <= 600);
  timer.classList.toggle("is-urgent", left <= 60);
  // Extra time may lift the clock above a warning already given.
  for (const [seconds] of WARN_SECONDS) if (left > seconds) warned.delete(seconds);
  const due = WARN_SECONDS.find(([seconds]) => left <= seconds);
  if (due && !warned.has(due[0]) && !handingIn) {
    WARN_SECONDS.forEach(([seconds]) => { if (seconds >= due[0]) warned.add(seconds); });
    say(due[1]());
  } else if (!due && !handingIn && !stopped) {
    warning.hidden = true;
  }
  if (left <= 0 && !clock.paused) timeIsUp();
}

function say(text) {
  warning.hidden = false;
  if (warning.textContent !== text) warning.textContent = text;
  if (reviewPanel.open && submitStatus.textContent !== text) submitStatus.textContent = text;
}

// The page's clock reached zero: ask the server's (a proctor may just have
// added time or paused the exam), and when it agrees, hand the paper in.
async function timeIsUp() {
  // Not before this page is the live one: the server would say it is not.
  if (timeUpCheck || handingIn || stopped || !page) return;
  timeUpCheck = (async () => {
    try {
      const state = await api(stateUrl(), { method: "GET" });
      if (!applyState(state)) return;
      if (state.paused || state.remaining_seconds > 0) return;
      // The server counts whole seconds down: "0" may still be most of one.
      freeze();
      say(gettext("Time is up. Handing in your answers…"));
      await sleep(1100);
    } catch {
      // No answer: the page's clock is all there is. The server decides whether it was on time.
    }
    say(gettext("Time is up. Handing in your answers…"));
    handIn();
  })();
  await timeUpCheck;
  timeUpCheck = null;
}

function stateUrl() {
  return `${urls.state}?page=${encodeURIComponent(page || "")}`;
}

// True while this page is still the live page of a running attempt.
function applyState(state) {
  if (state.status !== "started") {
    closed();
    return false;
  }
  if (!state.live) {
    takenOver();
    return false;
  }
  syncClock(state);
  if (state.paused) pause();
  else if (paused) resume();
  return true;
}

async function poll() {
  if (polling || stopped || !page) return;
  polling = true;
  clearTimeout(pollTimer);
  try {
    if (applyState(await api(stateUrl(), { method: "GET" })) && connectionLost) {
      // The server answers again: send what waits without waiting for the retry.
      retryDelay = RETRY_FIRST_MS;
      send();
    }
  } catch {
    // Offline or busy: the clock counts on, and the next poll tries again.
  } finally {
    polling = false;
  }
  if (!stopped) pollTimer = setTimeout(poll, POLL_MS);
}

// ---------------------------------------------------------------------------
// Paused, taken over, closed
// ---------------------------------------------------------------------------

function showOverlay(reason) {
  if (reviewPanel.open) reviewPanel.close();
  overlay.dataset.reason = reason;
  overlay.hidden = false;
  for (const element of [bar, layout, controls, document.querySelector(".site-header")]) {
    if (element) element.inert = true;
  }
  overlay.querySelector("#exam-overlay-title").focus();
}

function hideOverlay() {
  overlay.hidden = true;
  overlay.dataset.reason = "";
  for (const element of [bar, layout, controls, document.querySelector(".site-header")]) {
    if (element) element.inert = false;
  }
}

function pause() {
  // The server stops the clock while paused; so does the page until the next poll says otherwise.
  if (!clock.paused) clock = { remaining: secondsLeft(), at: performance.now(), paused: true };
  if (paused) return;
  paused = true;
  showOverlay("paused");
}

function resume() {
  paused = false;
  hideOverlay();
  if (current) show(current);
  send();
}

function stop(reason, message = "") {
  stopped = reason;
  clearTimeout(pollTimer);
  clearTimeout(retryTimer);
  if (message) say(message);
}

function takenOver(message = "") {
  if (stopped) return;
  stop("taken_over");
  if (message) overlayMessage.textContent = message;
  showOverlay("taken_over");
}

// Submitted, time up and closed by the server, or terminated by the proctor:
// nothing on this device can change it now.
function closed() {
  if (stopped === "closed") return;
  stop("closed");
  journal.clear();
  window.location.assign(urls.result);
}

// ---------------------------------------------------------------------------
// Handing in: every answer saved first, then submit
// ---------------------------------------------------------------------------

function freeze() {
  for (const control of exam.querySelectorAll(".exam-options input, .flag-toggle, .exam-clear, #exam-review")) {
    control.disabled = true;
  }
}

async function handIn() {
  if (handingIn || stopped) return;
  handingIn = true;
  freeze();
  confirmButton.disabled = true;
  submitButton.disabled = true;
  let delay = RETRY_FIRST_MS;
  while (!stopped) {
    if (paused || !page) {
      await sleep(1000);
      continue;
    }
    if (journal.size()) {
      // Sending waits out its own back-off while the server cannot take the answers.
      if (!sending && retryTimer === null) send();
      await sleep(500);
      continue;
    }
    try {
      await api(urls.submit, { body: { page } });
    } catch (error) {
      if (error.code === "taken_over") takenOver(error.message);
      else if (error.code === "paused") pause();
      else if (error.retryable) {
        connectionLost = true;
        say(gettext("No connection: your answers are kept on this device and handed in when the connection is back."));
        // Jittered, so that a room reaching its deadline together does not retry in step.
        await sleep(delay * (0.75 + Math.random() / 2));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      } else refuse(error.message);
      continue;
    }
    closed();
  }
}

// ---------------------------------------------------------------------------
// Moving around
// ---------------------------------------------------------------------------

function show(position, { focus = true } = {}) {
  const section = sectionAt.get(position);
  if (!section) return;
  current = position;
  if (onePerScreen) for (const other of sections) other.hidden = other !== section;
  for (const [at, button] of navButtonAt) {
    if (at === position) button.setAttribute("aria-current", "step");
    else button.removeAttribute("aria-current");
  }
  prevButton.disabled = position === positions[0];
  nextButton.disabled = position === positions[positions.length - 1];
  window.history.replaceState(null, "", `#q-${position}`);
  if (focus) {
    section.querySelector(".exam-question__title").focus({ preventScroll: true });
    section.scrollIntoView({ block: "start", behavior: "auto" });
  }
}

function move(step) {
  const index = positions.indexOf(current) + step;
  if (index >= 0 && index < positions.length) show(positions[index]);
}

function choose(position, index) {
  const section = sectionAt.get(position);
  const input = section && inputsOf(section)[index];
  if (!input || input.disabled) return false;
  if (input.type === "checkbox") input.checked = !input.checked;
  else if (input.checked) return true;
  else input.checked = true;
  input.focus();
  record(section);
  return true;
}

function typingInto(element) {
  if (!element) return false;
  if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
  return element.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(element.type);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
  if (reviewPanel.open || !overlay.hidden || handingIn || typingInto(event.target)) return;
  if (/^[1-8]$/.test(event.key)) {
    if (choose(current, Number(event.key) - 1)) event.preventDefault();
  } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    if (event.shiftKey) return;
    // Instead of the browser's own move between a question's radio buttons.
    event.preventDefault();
    move(event.key === "ArrowLeft" ? -1 : 1);
  }
});

for (const section of sections) {
  const position = Number(section.dataset.position);
  section.addEventListener("change", (event) => {
    if (event.target.matches(".exam-options input")) record(section);
  });
  section.addEventListener("focusin", () => {
    if (!onePerScreen && current !== position) show(position, { focus: false });
  });
  flagOf(section).addEventListener("click", (event) => {
    const button = event.currentTarget;
    button.setAttribute("aria-pressed", String(button.getAttribute("aria-pressed") !== "true"));
    record(section);
  });
  section.querySelector(".exam-clear").addEventListener("click", () => {
    for (const input of inputsOf(section)) input.checked = false;
    record(section);
    inputsOf(section)[0]?.focus();
  });
}

navPanel.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-position]");
  if (button) show(Number(button.dataset.position));
});
prevButton.addEventListener("click", () => move(-1));
nextButton.addEventListener("click", () => move(1));

// ---------------------------------------------------------------------------
// Review and submit
// ---------------------------------------------------------------------------

function fillReview(kind, positionsOf) {
  const list = reviewPanel.querySelector(`[data-review=${kind}]`);
  list.replaceChildren(
    ...positionsOf.map((position) => {
      const item = document.createElement("li");
      const button = Object.assign(document.createElement("button"), {
        type: "button",
        className: "link-button",
        textContent: interpolate(gettext("Question %s"), [position]),
      });
      button.dataset.jump = String(position);
      item.append(button);
      return item;
    }),
  );
  reviewPanel.querySelector(`[data-review-none=${kind}]`).hidden = positionsOf.length > 0;
}

reviewButton.addEventListener("click", () => {
  const answers = sections.map((section) => [Number(section.dataset.position), answerOf(section)]);
  fillReview("unanswered", answers.filter(([, answer]) => !answer.selected.length).map(([at]) => at));
  fillReview("flagged", answers.filter(([, answer]) => answer.flagged).map(([at]) => at));
  reviewLists.hidden = false;
  confirmStep.hidden = true;
  submitStatus.textContent = "";
  reviewPanel.showModal();
});

reviewPanel.addEventListener("click", (event) => {
  const jump = event.target.closest("[data-jump]");
  if (jump) {
    reviewPanel.close();
    show(Number(jump.dataset.jump));
  } else if (event.target.closest("[data-close-review]") && !handingIn) {
    reviewPanel.close();
  }
});

// Escape closes the panel, except while the paper is being handed in.
reviewPanel.addEventListener("cancel", (event) => {
  if (handingIn) event.preventDefault();
});

submitButton.addEventListener("click", () => {
  reviewLists.hidden = true;
  confirmStep.hidden = false;
  confirmStep.querySelector("#exam-confirm-text").focus();
});

confirmButton.addEventListener("click", () => {
  say(gettext("Handing in your answers…"));
  handIn();
});

overlay.querySelector("[data-take-back]").addEventListener("click", () => window.location.reload());

// ---------------------------------------------------------------------------
// Starting
// ---------------------------------------------------------------------------

window.addEventListener("online", () => {
  retryDelay = RETRY_FIRST_MS;
  renderSaveStatus();
  send();
  poll();
});
window.addEventListener("offline", renderSaveStatus);
document.addEventListener("visibilitychange", () => {
  // Timers sleep in a hidden tab: catch up with the server at once.
  if (document.visibilityState === "visible") poll();
});

// This page becomes the live one. The start screen has usually done so
// already and handed the page its token; a reload, or a second screen, asks
// the server again.
async function claim() {
  let delay = RETRY_FIRST_MS;
  while (!page) {
    try {
      const paper = await api(urls.start);
      page = paper.page;
      sequence = Math.max(sequence, paper.sequence);
      for (const question of paper.questions) {
        const section = sectionAt.get(question.position);
        if (section) showAnswer(section, question);
      }
      syncClock(paper);
      if (paper.paused) pause();
    } catch (error) {
      if (error.code === "attempt_closed") {
        closed();
        return false;
      }
      if (!error.retryable) {
        stop("refused", error.message);
        return false;
      }
      connectionLost = true;
      renderSaveStatus();
      await sleep(delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
  return true;
}

// Answers still in the journal (given offline, or just before a reload) are
// shown over the server's, unless the server already has a newer one.
function mergeJournal() {
  for (const entry of journal.entries()) {
    const section = sectionAt.get(entry.position);
    if (section && entry.sequence > (serverSequence.get(entry.position) || 0)) showAnswer(section, entry);
  }
  sequence = Math.max(sequence, journal.highest());
}

async function begin() {
  // Every listener is in place by now (the page is server-rendered before this
  // module runs): keys pressed from here on answer.
  exam.dataset.ready = "true";
  mergeJournal();
  const fromHash = Number(window.location.hash.replace(/^#q-/, ""));
  show(sectionAt.has(fromHash) ? fromHash : positions[0], { focus: false });
  renderSaveStatus();
  tick();
  setInterval(tick, 250);
  if (clock.paused) pause();
  if (!(await claim())) return;
  mergeJournal();
  send();
  pollTimer = setTimeout(poll, POLL_MS);
}

begin();
