// Import-job progress in the admin: poll the job's JSON until it finishes,
// then reload to show the report.
(() => {
  const box = document.querySelector("[data-import-progress]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-import-percent]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      bar.value = job.percent;
      label.textContent = `${job.percent}%`;
      if (job.status === "done" || job.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A network blip: try again on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
})();
