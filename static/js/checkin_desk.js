// The check-in desk of a session. The webcam looks for an admission ticket:
// every half second a small JPEG of what it sees goes to the server, which
// reads the QR code (exams/checkin.py) and answers with the booking, if any.
// The proctor may type the ticket number instead. The candidate's card shows
// the registered photo beside one taken now by the same webcam; the proctor
// compares them and confirms, and the server checks the candidate in.

const desk = document.getElementById("desk");
const csrfToken = desk.querySelector("[name=csrfmiddlewaretoken]").value;
const video = desk.querySelector("[data-camera]");
const startButton = desk.querySelector("[data-start-camera]");
const statusLine = desk.querySelector("[data-desk-status]");
const ticketForm = desk.querySelector("[data-ticket-form]");
const card = desk.querySelector("[data-candidate]");
const cardHeading = card.querySelector("[data-field=candidate_name]");
const cardMessage = card.querySelector("[data-card-message]");
const registeredPhoto = card.querySelector("[data-registered-photo]");
const noRegisteredPhoto = card.querySelector("[data-no-registered-photo]");
const livePhoto = card.querySelector("[data-live-photo]");
const noLivePhoto = card.querySelector("[data-no-live-photo]");
const confirmButton = card.querySelector("[data-confirm]");
const retakeButton = card.querySelector("[data-retake]");
const cancelButton = card.querySelector("[data-cancel]");
const nextButton = card.querySelector("[data-next]");

const SCAN_EVERY_MS = 500;
const SCAN_WIDTH = 640; // enough for a ticket held up to the camera; small to send
const PHOTO_WIDTH = 960;
const HOLD_MESSAGE_MS = 6000;
const COUNTS_EVERY_MS = 30000;

let stream = null;
let scanning = false;
let scanTimer = null;
let current = null; // the booking on the card
let livePhotoBlob = null;
// The booking last shown: while its ticket stays in front of the camera the
// scanner does not show it again.
let lastSeen = null;
let heldUntil = 0;

async function request(url, { body = null, method = "POST" } = {}) {
  const headers = {
    Accept: "application/json",
    "X-CSRFToken": csrfToken,
    // The API answers in the page's language.
    "Accept-Language": document.documentElement.lang,
  };
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  const response = await fetch(url, { method, credentials: "same-origin", headers, body });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error?.message || gettext("Something went wrong. Try again."));
    error.status = response.status;
    throw error;
  }
  return data;
}

function say(text, { hold = false } = {}) {
  // A routine message does not push away a warning the proctor has not read yet.
  if (!hold && Date.now() < heldUntil) return;
  if (hold) heldUntil = Date.now() + HOLD_MESSAGE_MS;
  // A live region: rewriting the same words would have screen readers repeat them.
  if (statusLine.textContent !== text) statusLine.textContent = text;
}

function tell(text, tone) {
  cardMessage.textContent = text;
  cardMessage.classList.toggle("desk__message--ok", tone === "ok");
  cardMessage.classList.toggle("desk__message--refused", tone === "refused");
}

function snapshot(width) {
  const scale = Math.min(1, width / video.videoWidth);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

function cameraReady() {
  return stream !== null && video.videoWidth > 0;
}

// --- Scanning ---------------------------------------------------------------

async function scanOnce() {
  if (!scanning || !cameraReady()) return;
  const body = new FormData();
  body.append("frame", await snapshot(SCAN_WIDTH), "frame.jpg");
  try {
    const { booking } = await request(desk.dataset.scanUrl, { body });
    if (!scanning) return;
    if (!booking) {
      lastSeen = null;
      say(gettext("Looking for a ticket…"));
    } else if (booking.id !== lastSeen) {
      lastSeen = booking.id;
      show(booking);
    }
  } catch (error) {
    // Not a ticket of this system, a ticket of another session, …
    say(error.message, { hold: true });
  }
}

function scheduleScan() {
  clearTimeout(scanTimer);
  if (!scanning) return;
  scanTimer = setTimeout(async () => {
    await scanOnce();
    scheduleScan();
  }, SCAN_EVERY_MS);
}

function resumeScanning() {
  if (!cameraReady()) return;
  scanning = true;
  say(gettext("Looking for a ticket…"));
  scheduleScan();
}

function pauseScanning() {
  scanning = false;
  clearTimeout(scanTimer);
}

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    say(gettext("This browser cannot use a camera here. Type the ticket number instead."), {
      hold: true,
    });
    return;
  }
  startButton.disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
  } catch {
    stream = null;
    video.hidden = true;
    startButton.disabled = false;
    say(gettext("The camera could not be started. Type the ticket number instead."), {
      hold: true,
    });
    return;
  }
  startButton.hidden = true;
  if (card.hidden) resumeScanning();
}

// --- The candidate's card ---------------------------------------------------

function fill(booking) {
  current = booking;
  for (const field of card.querySelectorAll("[data-field]")) {
    field.textContent = booking[field.dataset.field] ?? "";
  }
}

async function takeLivePhoto() {
  if (livePhoto.src) URL.revokeObjectURL(livePhoto.src);
  livePhotoBlob = cameraReady() ? await snapshot(PHOTO_WIDTH) : null;
  livePhoto.hidden = livePhotoBlob === null;
  noLivePhoto.hidden = livePhotoBlob !== null;
  retakeButton.hidden = livePhotoBlob === null || current.status !== "booked";
  if (livePhotoBlob) {
    livePhoto.src = URL.createObjectURL(livePhotoBlob);
    livePhoto.alt = interpolate(gettext("%s, taken now"), [current.candidate_name]);
  } else {
    livePhoto.removeAttribute("src");
  }
}

function checkedInAt(booking) {
  return new Date(booking.checked_in_at).toLocaleTimeString(document.documentElement.lang, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

async function show(booking) {
  pauseScanning();
  fill(booking);
  const name = booking.candidate_name;
  if (booking.registered_photo_url) {
    registeredPhoto.src = booking.registered_photo_url;
    registeredPhoto.alt = interpolate(gettext("%s, registered photo"), [name]);
  } else {
    registeredPhoto.removeAttribute("src");
  }
  registeredPhoto.hidden = !booking.registered_photo_url;
  noRegisteredPhoto.hidden = Boolean(booking.registered_photo_url);

  const bookable = booking.status === "booked";
  confirmButton.hidden = !bookable;
  confirmButton.disabled = false;
  cancelButton.hidden = !bookable;
  nextButton.hidden = bookable;
  if (bookable) {
    tell(gettext("Compare the two photos, and the ID card, before you confirm."));
  } else if (booking.status === "checked_in") {
    tell(interpolate(gettext("Already checked in at %s."), [checkedInAt(booking)]), "refused");
  } else {
    tell(interpolate(gettext("Cannot be checked in: %s."), [booking.status_display]), "refused");
  }
  card.hidden = false;
  await takeLivePhoto();
  say(
    interpolate(gettext("Ticket found: %(name)s, seat %(seat)s."), {
      name,
      seat: booking.seat_label,
    }, true),
    { hold: true },
  );
  (bookable ? confirmButton : nextButton).focus();
}

function closeCard() {
  card.hidden = true;
  current = null;
  livePhotoBlob = null;
  tell("");
  ticketForm.reset();
  ticketForm.querySelector("input").focus();
  heldUntil = 0;
  if (cameraReady()) {
    resumeScanning();
  } else {
    say(gettext("Type the next ticket number."));
  }
}

async function refreshCounts() {
  try {
    const session = await request(desk.dataset.sessionUrl, { method: "GET" });
    for (const [key, value] of Object.entries(session.counts)) {
      const figure = desk.querySelector(`[data-count="${key}"]`);
      if (figure) figure.textContent = value;
    }
  } catch {
    // The counts catch up at the next refresh.
  }
}

confirmButton.addEventListener("click", async () => {
  confirmButton.disabled = true;
  const body = new FormData();
  body.append("ticket_number", current.ticket_number);
  if (livePhotoBlob) body.append("photo", livePhotoBlob, "photo.jpg");
  try {
    const booking = await request(desk.dataset.checkInUrl, { body });
    fill(booking);
    tell(
      interpolate(gettext("%(name)s is checked in. Seat %(seat)s."), {
        name: booking.candidate_name,
        seat: booking.seat_label,
      }, true),
      "ok",
    );
    confirmButton.hidden = true;
    retakeButton.hidden = true;
    cancelButton.hidden = true;
    nextButton.hidden = false;
    nextButton.focus();
    refreshCounts();
  } catch (error) {
    tell(error.message, "refused");
    confirmButton.disabled = false;
  }
});

retakeButton.addEventListener("click", takeLivePhoto);
cancelButton.addEventListener("click", closeCard);
nextButton.addEventListener("click", closeCard);
card.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeCard();
});

ticketForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const ticketNumber = new FormData(ticketForm).get("ticket_number").trim();
  if (!ticketNumber) return;
  try {
    const booking = await request(desk.dataset.lookupUrl, { body: { ticket_number: ticketNumber } });
    lastSeen = booking.id;
    show(booking);
  } catch (error) {
    say(error.message, { hold: true });
  }
});

startButton.addEventListener("click", startCamera);

window.addEventListener("pagehide", () => {
  pauseScanning();
  for (const track of stream?.getTracks() ?? []) track.stop();
});

setInterval(refreshCounts, COUNTS_EVERY_MS);
