// "Accept findings" on the review server: the findings this run recorded for a case are written
// to its accepted-findings.yaml with the reason given, so they no longer fail it (a new finding
// still does). From disk the page shows the command instead; this script does nothing there.
(() => {
  "use strict";
  const token = document.body.dataset.reviewToken;
  if (!token) return;
  for (const form of document.querySelectorAll("form.accept-findings")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const out = form.querySelector(".accept-outcome");
      const reason = form.querySelector(".accept-reason").value.trim();
      if (!reason) { out.textContent = "a reason is required: why are these findings acceptable?"; return; }
      out.textContent = "…";
      let answer;
      try {
        const response = await fetch("accept-findings", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Review-Token": token },
          body: JSON.stringify({ case: form.dataset.case, reason }),
        });
        answer = await response.json();
      } catch {
        answer = { error: "the review server does not answer: is 'email-harness review' still running?" };
      }
      const count = (answer.accepted || {})[form.dataset.case];
      out.textContent = answer.error || (answer.errors || {})[form.dataset.case]
        || (count ? `accepted ${count} finding(s): they no longer fail this case from the next run` : "the accepted list was cleared");
    });
  }
})();
