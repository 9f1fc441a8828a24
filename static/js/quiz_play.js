// The quiz play page (cms/quiz/views.py). One question at a time: the server
// serves it and starts its clock, the page counts down with performance.now()
// from the seconds the server says are left, and the answer goes back as the
// positions shown. Only the server's reply to an answer (or to a question
// whose time ran out) carries the right answer and the explanation.

const root = document.getElementById("quiz-play");
const csrfToken = root.querySelector("[name=csrfmiddlewaretoken]").value;
const questionBox = root.querySelector("[data-question]");
const optionsForm = root.querySelector("[data-options]");
const submitButton = root.querySelector("[data-submit]");
const feedbackBox = root.querySelector("[data-feedback]");
const nextButton = root.querySelector("[data-next]");
const secondsBox = root.querySelector("[data-seconds]");
const progressBox = root.querySelector("[data-progress]");
const scoreBox = root.querySelector("[data-score]");
const LETTERS = "ABCDEFGH";

let current = null;
let deadline = 0;
let timer = null;
let correct = 0;
let finishedUrl = null;

async function request(url, body) {
  const options = body
    ? {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify(body),
        credentials: "same-origin",
      }
    : { credentials: "same-origin", cache: "no-store" };
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({}));
  return { status: response.status, data };
}

function choiceInputs() {
  return [...optionsForm.querySelectorAll("input")];
}

function render(question) {
  current = question;
  progressBox.textContent = `${question.number} / ${question.total}`;
  questionBox.innerHTML = "";
  const kind = document.createElement("p");
  kind.className = "quiz-kind";
  kind.textContent = {
    single: gettext("Single choice"),
    multiple: gettext("Multiple choice: choose every right answer"),
    true_false: gettext("True or false"),
  }[question.type];
  const stem = document.createElement("div");
  stem.className = "quiz-stem";
  stem.innerHTML = question.stem; // sanitised by the question bank when saved
  questionBox.append(kind, stem);

  optionsForm.innerHTML = "";
  const labels =
    question.type === "true_false"
      ? [gettext("True"), gettext("False")]
      : question.options.map((text, index) => `${LETTERS[index]}. ${text}`);
  const inputType = question.type === "multiple" ? "checkbox" : "radio";
  labels.forEach((text, index) => {
    const label = document.createElement("label");
    label.className = "quiz-option";
    const input = document.createElement("input");
    input.type = inputType;
    input.name = "choice";
    input.value = String(index);
    const span = document.createElement("span");
    span.textContent = text;
    label.append(input, span);
    optionsForm.append(label);
  });
  optionsForm.hidden = false;
  submitButton.hidden = false;
  submitButton.disabled = false;
  feedbackBox.hidden = true;
  nextButton.hidden = true;
  startCountdown(question.seconds_left);
}

function startCountdown(secondsLeft) {
  clearInterval(timer);
  deadline = performance.now() + secondsLeft * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    secondsBox.textContent = String(left);
    root.classList.toggle("is-hurry", left <= 5);
    if (left <= 0) {
      clearInterval(timer);
      send([]);
    }
  };
  tick();
  timer = setInterval(tick, 250);
}

async function send(choice) {
  if (!current) return;
  const question = current;
  submitButton.disabled = true;
  choiceInputs().forEach((input) => (input.disabled = true));
  const { status, data } = await request(root.dataset.answerUrl, {
    position: question.position,
    choice,
  });
  if (status === 400 && choice.length === 0) {
    // Our countdown ended a moment before the server's: ask again shortly.
    setTimeout(() => send([]), 800);
    return;
  }
  if (status !== 200 && status !== 409) {
    showMessage(data.error || gettext("Something went wrong. Trying again…"));
    setTimeout(load, 1500);
    return;
  }
  if (!("key" in data)) {
    load();
    return;
  }
  clearInterval(timer);
  current = null;
  showFeedback(question, choice, data);
}

function showFeedback(question, choice, data) {
  if (data.correct) correct += 1;
  scoreBox.textContent = `${gettext("Correct")}: ${correct}`;
  choiceInputs().forEach((input) => {
    const index = Number(input.value);
    const label = input.closest("label");
    if (data.key.includes(index)) label.classList.add("is-key");
    else if (choice.includes(index)) label.classList.add("is-wrong");
  });
  feedbackBox.innerHTML = "";
  const verdict = document.createElement("p");
  verdict.className = data.correct ? "quiz-verdict is-right" : "quiz-verdict is-wrong";
  verdict.textContent = data.correct ? `✓ ${gettext("Right!")}` : data.late ? `✗ ${gettext("Time is up.")}` : `✗ ${gettext("Not quite.")}`;
  feedbackBox.append(verdict);
  if (data.explanation) {
    const explanation = document.createElement("p");
    explanation.className = "quiz-explanation";
    explanation.textContent = `${gettext("Explanation")}: ${data.explanation}`;
    feedbackBox.append(explanation);
  }
  feedbackBox.hidden = false;
  submitButton.hidden = true;
  finishedUrl = data.finished ? data.result_url : null;
  nextButton.textContent = data.finished ? gettext("See my result") : gettext("Next question");
  nextButton.hidden = false;
  nextButton.focus();
}

function showMessage(text) {
  feedbackBox.hidden = false;
  feedbackBox.textContent = text;
}

async function load() {
  const { status, data } = await request(root.dataset.stateUrl);
  if (status !== 200) {
    showMessage(data.error || gettext("Something went wrong. Trying again…"));
    setTimeout(load, 2000);
    return;
  }
  if (data.status === "finished") {
    window.location.assign(data.result_url);
    return;
  }
  render(data);
}

submitButton.addEventListener("click", () => {
  const choice = choiceInputs()
    .filter((input) => input.checked)
    .map((input) => Number(input.value));
  if (choice.length === 0) {
    showMessage(gettext("Choose an answer first."));
    return;
  }
  send(choice);
});

nextButton.addEventListener("click", () => {
  if (finishedUrl) window.location.assign(finishedUrl);
  else load();
});

load();
