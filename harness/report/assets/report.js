// Filters, the before/after slider, and (on the review page) approve/reject with keyboard keys.
(() => {
  const cases = [...document.querySelectorAll("article.case")];
  document.querySelectorAll(".filters button").forEach((button) => {
    button.addEventListener("click", () => {
      const wanted = button.dataset.filter;
      document.querySelectorAll(".filters button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      cases.forEach((c) => c.classList.toggle("hidden", wanted !== "all" && c.dataset.status !== wanted));
      document.querySelectorAll(".grid td[data-status]").forEach((td) => td.classList.toggle("dim", false));
    });
  });
  document.querySelectorAll(".slider input").forEach((range) => {
    range.addEventListener("input", () => { range.closest(".slider").querySelector(".over").style.width = range.value + "%"; });
  });

  const token = document.body.dataset.reviewToken;
  if (!token) return;
  const decide = async (action, target, article) => {
    const out = article.querySelector(".outcome");
    out.textContent = "…";
    const response = await fetch(action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Review-Token": token },
      body: JSON.stringify({ case: target }),
    });
    const body = await response.json();
    if (!response.ok) { out.textContent = body.error; return; }
    for (const id of body.cases) {
      const done = document.querySelector(`article[data-case="${CSS.escape(id)}"]`);
      if (done) {
        done.classList.add(action === "approve" ? "approved" : "rejected");
        const o = done.querySelector(".outcome");
        if (o) o.textContent = action === "approve" ? "approved" : "rejected: stays failing";
      }
    }
  };
  document.querySelectorAll(".actions button").forEach((b) => {
    b.addEventListener("click", () => decide(b.dataset.action, b.dataset.target, b.closest("article")));
  });
  const pending = () => cases.filter((c) => c.querySelector(".actions") && !c.classList.contains("hidden"));
  let current = -1;
  const focus = (i) => { const list = pending(); if (!list.length) return; current = (i + list.length) % list.length; list[current].focus(); list[current].scrollIntoView({ block: "start" }); };
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea") || event.metaKey || event.ctrlKey) return;
    const article = pending()[current];
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if (article && event.key === "a") decide("approve", article.dataset.case, article);
    else if (article && event.key === "r") decide("reject", article.dataset.case, article);
    else if (article && event.key === "t") decide("approve", article.dataset.template + "[*]", article);
  });
})();
