// The start screen of a proctored sitting: consent first, then the camera
// check (the server analyses a frame and says what is wrong, in plain words),
// and only then the Start button. The camera is not asked for before consent.

const box = document.getElementById("proctoring-start");
// The page may be served without the JavaScript catalogue: then English.
const gettext = window.gettext || ((text) => text);
const csrfToken = document.querySelector("[name=csrfmiddlewaretoken]").value;
const startButton = document.querySelector(".exam-start__button");
const consentBox = document.getElementById("proctoring-consent-box");
const consentButton = document.getElementById("proctoring-consent-button");
const preview = document.getElementById("proctoring-preview");
const status = document.getElementById("proctoring-check-status");
const problems = document.getElementById("proctoring-check-problems");
const checkButton = document.getElementById("proctoring-check-button");
const step = (name) => box.querySelector(`[data-step="${name}"]`);
const CHECK_EVERY_MS = 3000;

let stream = null;
let timer = null;

startButton.disabled = true;

consentBox.addEventListener("change", () => {
  consentButton.disabled = !consentBox.checked;
});

consentButton.addEventListener("click", async () => {
  consentButton.disabled = true;
  const response = await fetch(box.dataset.consentUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify({ policy_version: box.dataset.policyVersion }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    status.textContent = body.error?.message || gettext("Your consent could not be recorded. Try again.");
    consentButton.disabled = false;
    return;
  }
  step("consent").hidden = true;
  step("consented").hidden = false;
  startCamera();
});

function frame() {
  const canvas = document.createElement("canvas");
  const scale = Math.min(1, 640 / preview.videoWidth, 480 / preview.videoHeight);
  canvas.width = Math.round(preview.videoWidth * scale);
  canvas.height = Math.round(preview.videoHeight * scale);
  canvas.getContext("2d").drawImage(preview, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

async function startCamera() {
  step("check").hidden = false;
  if (!navigator.mediaDevices?.getUserMedia) {
    status.textContent = gettext("This browser cannot use a camera. Ask the proctor for help.");
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  } catch {
    status.textContent = gettext("The camera was not allowed. Allow it in the browser, then check again.");
    return;
  }
  preview.srcObject = stream;
  await new Promise((resolve) => {
    if (preview.readyState >= 2) resolve();
    else preview.addEventListener("loadeddata", resolve, { once: true });
  });
  check();
}

async function check() {
  clearTimeout(timer);
  if (!stream) {
    startCamera();
    return;
  }
  status.textContent = gettext("Checking the camera…");
  const body = new FormData();
  body.append("image", await frame(), "check.jpg");
  let result;
  try {
    const response = await fetch(box.dataset.checkUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
      body,
    });
    result = await response.json();
    if (!response.ok) {
      status.textContent = result.error?.message || gettext("The check failed. Trying again…");
      timer = setTimeout(check, CHECK_EVERY_MS);
      return;
    }
  } catch {
    status.textContent = gettext("No connection. Trying again…");
    timer = setTimeout(check, CHECK_EVERY_MS);
    return;
  }
  problems.replaceChildren(
    ...result.problems.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
  if (result.passed) {
    status.textContent = gettext("The camera check has passed: you can start the exam.");
    box.dataset.checked = "true";
    startButton.disabled = false;
  } else {
    status.textContent = gettext("Not yet:");
    timer = setTimeout(check, CHECK_EVERY_MS);
  }
}

checkButton.addEventListener("click", check);

if (box.dataset.consented === "true") startCamera();

