// Live leaderboards (cms/quiz): the big screen at the venue and the compact
// board on the campaign and quiz pages. Each asks the server's cached JSON
// every few seconds and redraws, without reloading the page.


function rows(body, items, cells) {
  if (!body) return;
  body.replaceChildren(
    ...items.map((item) => {
      const tr = document.createElement("tr");
      for (const value of cells(item)) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function compactTable(board) {
  const list = document.createElement("ol");
  list.className = "quiz-board__list";
  for (const person of board.people.slice(0, 10)) {
    const item = document.createElement("li");
    item.textContent = `${person.name} · ${person.score} · ${person.seconds} s`;
    list.append(item);
  }
  if (!board.people.length) {
    const empty = document.createElement("p");
    empty.className = "muted";
    empty.textContent = gettext("No finished plays yet.");
    return [empty];
  }
  const towns = document.createElement("p");
  towns.className = "muted";
  towns.textContent = board.towns
    .slice(0, 5)
    .map((town) => `${town.name} ${town.participants}`)
    .join(" · ");
  return [list, towns];
}

function draw(root, board) {
  const compact = root.querySelector("[data-board-body]");
  if (root.dataset.compact === "true" && compact) {
    compact.replaceChildren(...compactTable(board));
    return;
  }
  rows(root.querySelector("[data-board-people]"), board.people, (p) => [
    p.rank,
    p.name,
    p.town,
    p.score,
    `${p.seconds} s`,
  ]);
  rows(root.querySelector("[data-board-towns]"), board.towns, (g) => [g.name, g.participants, g.average]);
  rows(root.querySelector("[data-board-employers]"), board.employers, (g) => [
    g.name,
    g.participants,
    g.average,
  ]);
  for (const key of ["participants", "plays"]) {
    const element = root.querySelector(`[data-board-${key}]`);
    if (element) element.textContent = board[key];
  }
  const updated = root.querySelector("[data-board-updated]");
  if (updated) updated.textContent = board.updated_at;
}

function watch(root) {
  const seconds = Math.max(2, Number(root.dataset.pollSeconds) || 10);
  const refresh = async () => {
    try {
      const response = await fetch(root.dataset.url, { cache: "no-store" });
      if (response.ok) draw(root, await response.json());
    } catch {
      // Offline for a moment: the next poll tries again.
    }
  };
  refresh();
  setInterval(refresh, seconds * 1000);
}

document.querySelectorAll("[data-quiz-board]").forEach(watch);

const fullscreen = document.querySelector("[data-fullscreen]");
if (fullscreen) {
  fullscreen.addEventListener("click", () => document.documentElement.requestFullscreen?.());
}
