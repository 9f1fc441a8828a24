// Webcam proctoring on the exam page, beside exam.js: a snapshot about every
// PROCTORING_SNAPSHOT_SECONDS (with random jitter, so the moment cannot be
// predicted) and one at every suspicious browser event (tab hidden, window
// blurred, full screen left, copy or paste), uploaded through a queue that
// keeps failed uploads and retries them; the camera lost or denied is
// reported and the candidate told; the proctor's messages are shown within
// seconds.

const root = document.getElementById("proctoring-exam");
const exam = document.getElementById("exam");
const csrfToken = exam.querySelector("[name=csrfmiddlewaretoken]").value;
const video = document.getElementById("proctoring-camera");
const cameraWarning = document.getElementById("proctoring-camera-warning");
const fullscreenButton = document.getElementById("proctoring-fullscreen");
const messageBox = document.getElementById("proctoring-messages");
const INTERVAL_MS = Number(root.dataset.snapshotSeconds) * 1000;
const JITTER_MS = Number(root.dataset.jitterSeconds) * 1000;
const POLL_MS = Math.max(1, Number(root.dataset.pollSeconds)) * 1000;
const SEQUENCE_KEY = `ankang.proctoring.${exam.dataset.attempt}.sequence`;
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 60000;
const QUEUE_LIMIT = 30; // frames kept while offline (~2 MB)

let stream = null;
let sequence = Number(localStorage.getItem(SEQUENCE_KEY)) || 1;
let lastMessage = 0;
let retryMs = RETRY_FIRST_MS;
let sending = false;
const queue = [];

function nextSequence() {
  const number = sequence;
  sequence += 1;
  localStorage.setItem(SEQUENCE_KEY, String(sequence));
  return number;
}

function cameraLive() {
  return stream !== null && stream.getVideoTracks().some((track) => track.readyState === "live");
}

async function startCamera() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  } catch {
    cameraLost();
    return;
  }
  video.srcObject = stream;
  cameraWarning.hidden = true;
  for (const track of stream.getVideoTracks()) track.addEventListener("ended", cameraLost);
}

function cameraLost() {
  if (stream === null && !cameraWarning.hidden) return; // told once per loss
  stream = null;
  cameraWarning.hidden = false;
  report("camera_lost");
}

function frame() {
  if (!cameraLive() || video.readyState < 2) return Promise.resolve(null);
  const canvas = document.createElement("canvas");
  const scale = Math.min(1, 640 / video.videoWidth, 480 / video.videoHeight);
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
}

async function snapshot(event = "") {
  const takenAt = new Date().toISOString();
  const blob = await frame();
  if (blob === null) {
    if (event) report(event, takenAt);
    return;
  }
  queue.push({ blob, sequence: nextSequence(), takenAt, event });
  if (queue.length > QUEUE_LIMIT) queue.splice(0, queue.length - QUEUE_LIMIT);
  flush();
}

async function flush() {
  if (sending) return;
  sending = true;
  while (queue.length) {
    const item = queue[0];
    const body = new FormData();
    body.append("image", item.blob, `${item.sequence}.jpg`);
    body.append("sequence", item.sequence);
    body.append("taken_at", item.takenAt);
    body.append("kind", item.event ? "event" : "interval");
    if (item.event) body.append("event", item.event);
    let response;
    try {
      response = await fetch(root.dataset.snapshotUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken },
        body,
      });
    } catch {
      response = null;
    }
    if (response === null || response.status >= 500 || response.status === 429) {
      // Kept for later: the connection or the server will be back.
      setTimeout(flush, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      sending = false;
      return;
    }
    queue.shift(); // stored, a retry of one stored, or refused for good
    retryMs = RETRY_FIRST_MS;
  }
  sending = false;
}

async function report(kind, at = new Date().toISOString()) {
  try {
    await fetch(root.dataset.eventsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ kind, at }),
    });
  } catch {
    // Offline: the proctor sees the gap in the snapshots instead.
  }
}

function scheduleSnapshot() {
  const delay = INTERVAL_MS + (Math.random() * 2 - 1) * JITTER_MS;
  setTimeout(async () => {
    await snapshot();
    scheduleSnapshot();
  }, Math.max(5000, delay));
}

async function poll() {
  try {
    const response = await fetch(`${root.dataset.stateUrl}?after=${lastMessage}`, {
      headers: { Accept: "application/json" },
    });
    if (response.ok) {
      const state = await response.json();
      if (state.next_sequence > sequence) {
        sequence = state.next_sequence;
        localStorage.setItem(SEQUENCE_KEY, String(sequence));
      }
      for (const message of state.messages) showMessage(message);
    }
  } catch {
    // Offline: asked again at the next poll.
  }
  setTimeout(poll, POLL_MS);
}

function showMessage(message) {
  lastMessage = Math.max(lastMessage, message.id);
  const item = document.createElement("li");
  const time = new Date(message.sent_at).toLocaleTimeString();
  item.textContent = `${time} ${message.text}`;
  messageBox.querySelector("ul").append(item);
  messageBox.hidden = false;
}

// Browser events.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") snapshot("tab_hidden");
});
window.addEventListener("blur", () => {
  if (document.visibilityState === "visible") snapshot("window_blur");
});
for (const kind of ["copy", "cut", "paste"]) {
  document.addEventListener(kind, (event) => {
    event.preventDefault();
    snapshot("copy_paste");
  });
}
document.addEventListener("fullscreenchange", () => {
  fullscreenButton.hidden = document.fullscreenElement !== null;
  if (document.fullscreenElement === null) snapshot("fullscreen_exit");
});
if (document.fullscreenEnabled) {
  fullscreenButton.hidden = document.fullscreenElement !== null;
  fullscreenButton.addEventListener("click", () => {
    document.documentElement.requestFullscreen().catch(() => {});
  });
}
document.getElementById("proctoring-camera-retry").addEventListener("click", startCamera);
window.addEventListener("online", flush);
// Chromium tells whether the desktop spans more than one screen.
if ("isExtended" in window.screen) {
  const checkScreens = () => {
    if (window.screen.isExtended) snapshot("second_screen");
  };
  window.screen.addEventListener("change", checkScreens);
  setTimeout(checkScreens, 3000);
}

await startCamera();
snapshot();
scheduleSnapshot();
poll();
