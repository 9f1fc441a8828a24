// The lesson page: reports study (heartbeats) while the learner studies, and
// shows the time the server has credited. The page never says how much time
// to credit; it says what happened (visible? last input? where is the video?)
// and the server's clock does the rest (training/services.py).

const lesson = document.getElementById("lesson");
const csrfToken = lesson.querySelector("[name=csrfmiddlewaretoken]").value;
const statusLine = lesson.querySelector("[data-study-status]");
const lessonTime = lesson.querySelector("[data-lesson-time]");
const courseHours = lesson.querySelector("[data-course-hours]");
const courseBar = lesson.querySelector(".progress__track");
const courseFill = lesson.querySelector(".progress__fill");
const takeOver = lesson.querySelector("[data-take-over]");
const missingWrapper = lesson.querySelector("[data-missing-wrapper]");
const missingList = lesson.querySelector("[data-missing]");
const completeNote = lesson.querySelector("[data-lesson-complete]");

const INPUT_EVENTS = ["pointermove", "pointerdown", "keydown", "scroll", "wheel", "touchstart"];

let token = null;
let heartbeatMs = 20000;
let sequence = 0;
let timer = null;
let lastInput = Date.now();
let intervalVisible = document.visibilityState === "visible";
let reachedEnd = false;
let paused = false;
let currentVideo = null;

const videos = [...lesson.querySelectorAll("[data-block-type=lesson_video]")].map((block) => ({
  id: block.dataset.blockId,
  element: block.querySelector("video"),
  noSkipping: block.querySelector("[data-no-skipping]") !== null,
  watchedLabel: block.querySelector("[data-video-watched]"),
  furthest: 0,
  // Whether it played at any time since the last report.
  played: false,
}));

async function post(url, body, options = {}) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken,
      // The API answers in the page's language.
      "Accept-Language": document.documentElement.lang,
    },
    body: JSON.stringify(body),
    ...options,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error?.message || gettext("Something went wrong. Reload the page."));
    error.status = response.status;
    throw error;
  }
  return data;
}

function say(text) {
  // A live region: rewriting the same words would have screen readers repeat them.
  if (statusLine.textContent !== text) statusLine.textContent = text;
}

function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

function render(state, message) {
  if (message) say(message);
  lessonTime.textContent = formatDuration(state.lesson_seconds);
  courseHours.textContent = interpolate(gettext("%(hours)s of %(required)s learning hours"), {
    hours: state.course_hours,
    required: state.course_required_hours,
  }, true);
  courseBar.setAttribute("aria-valuenow", state.course_percent);
  courseFill.style.width = `${state.course_percent}%`;
  missingList.replaceChildren(
    ...state.missing.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
  missingWrapper.hidden = state.lesson_complete || state.missing.length === 0;
  completeNote.hidden = !state.lesson_complete;
  for (const video of videos) {
    const known = state.videos[video.id];
    if (!known) continue;
    video.furthest = Math.max(video.furthest, known.furthest);
    const duration = video.element.duration;
    if (duration > 0) {
      const share = Math.min(100, Math.round((100 * video.furthest) / duration));
      video.watchedLabel.textContent = interpolate(gettext("Watched up to %(share)s%%"), { share }, true);
    }
  }
}

function videoReport() {
  const video = currentVideo;
  if (!video) return {};
  const playingNow = !video.element.paused && !video.element.ended;
  const report = {
    video_id: video.id,
    video_position: video.element.currentTime,
    video_duration: Number.isFinite(video.element.duration) ? video.element.duration : null,
    video_playing: video.played || playingNow,
  };
  video.played = playingNow;
  return report;
}

async function beat({ visible = intervalVisible, final = false } = {}) {
  if (!token || paused) return;
  sequence += 1;
  const body = {
    sequence,
    visible,
    idle_seconds: (Date.now() - lastInput) / 1000,
    at_end: reachedEnd,
    final,
    ...videoReport(),
  };
  const url = lesson.dataset.heartbeatUrl.replace("TOKEN", token);
  // keepalive lets the report outlive a page that is being hidden or closed.
  const options = { keepalive: final || !visible };
  if (final) {
    post(url, body, options).catch(() => {});
    return;
  }
  try {
    const result = await post(url, body, options);
    render(result.state, result.message);
    if (result.outcome === "paused" || result.outcome === "ended") stop(result.outcome);
  } catch (error) {
    if (error.status >= 400 && error.status < 500 && error.status !== 429) {
      // Refused for good (the session is gone, say): waiting will not help.
      say(error.message);
      stop();
      return;
    }
    say(gettext(
      "Connection lost: time is not being counted. It will carry on when the connection is back.",
    ));
  }
}

function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    const visibleNow = document.visibilityState === "visible";
    beat({ visible: intervalVisible && visibleNow });
    intervalVisible = visibleNow;
  }, heartbeatMs);
}

function stop(outcome) {
  paused = true;
  clearInterval(timer);
  for (const video of videos) video.element.pause();
  takeOver.hidden = outcome !== "paused";
}

async function start() {
  try {
    const session = await post(lesson.dataset.startUrl, {});
    token = session.token;
    heartbeatMs = session.heartbeat_seconds * 1000;
    sequence = 0;
    paused = false;
    takeOver.hidden = true;
    intervalVisible = document.visibilityState === "visible";
    render(session.state, gettext("Time is being counted."));
    schedule();
  } catch (error) {
    say(error.message);
  }
}

for (const name of INPUT_EVENTS) {
  window.addEventListener(name, () => { lastInput = Date.now(); }, { passive: true, capture: true });
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") {
    // Close the interval that was visible, then count nothing while hidden.
    beat({ visible: intervalVisible });
    intervalVisible = false;
    for (const video of videos) video.element.pause();
  } else {
    beat({ visible: false });
    intervalVisible = true;
    lastInput = Date.now();
  }
});

window.addEventListener("pagehide", () => {
  beat({ visible: intervalVisible && document.visibilityState === "visible", final: true });
});

takeOver.addEventListener("click", start);

const end = lesson.querySelector("[data-lesson-end]");
new IntersectionObserver((entries, observer) => {
  if (entries.some((entry) => entry.isIntersecting)) {
    reachedEnd = true;
    observer.disconnect();
    beat();
  }
}).observe(end);

for (const video of videos) {
  const element = video.element;
  element.addEventListener("play", () => { currentVideo = video; video.played = true; beat(); });
  element.addEventListener("pause", () => beat());
  element.addEventListener("ended", () => beat());
  element.addEventListener("timeupdate", () => {
    if (!element.seeking && element.currentTime <= video.furthest + 2) {
      video.furthest = Math.max(video.furthest, element.currentTime);
    }
  });
  if (video.noSkipping) {
    // 屏蔽快进: back to the furthest point watched; watching again is fine.
    element.addEventListener("seeking", () => {
      if (element.currentTime > video.furthest + 1) element.currentTime = video.furthest;
    });
    element.addEventListener("ratechange", () => {
      if (element.playbackRate > 1) element.playbackRate = 1;
    });
  }
}

for (const form of lesson.querySelectorAll("[data-check-question]")) {
  const feedback = form.querySelector("[data-feedback]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = [...form.querySelectorAll("input:checked")].map((input) => Number(input.value));
    if (!choice.length) {
      feedback.textContent = gettext("Choose an answer first.");
      return;
    }
    try {
      const result = await post(lesson.dataset.checkUrl, {
        block_id: form.closest("[data-block-id]").dataset.blockId,
        choice,
      });
      const labels = form.querySelectorAll("label.choice");
      labels.forEach((label, index) => {
        label.classList.toggle("choice--correct", result.correct_choice.includes(index));
      });
      const verdict = result.correct ? gettext("Correct.") : gettext("Not quite.");
      const answer = result.correct_choice.map((index) => labels[index].textContent.trim()).join("; ");
      feedback.replaceChildren(
        Object.assign(document.createElement("strong"), { textContent: verdict }),
        document.createTextNode(` ${interpolate(gettext("The answer: %s."), [answer])} ${result.explanation}`),
      );
      form.classList.add(result.correct ? "check-question--right" : "check-question--wrong");
      render(result.state);
    } catch (error) {
      feedback.textContent = error.message;
    }
  });
}

start();
