// Decisions: approve, reject with a reason, undo, per change or per case; progress; export;
// finish. On the review server (a token on <body>) every decision goes to the server, which
// writes snapshots and the review log; from disk they stay in this browser (localStorage) and
// are exported as a file for 'email-harness approve --from REPORT --decisions FILE'.
// A case that starts or stops being sent ("not sent" <-> "sent") is approved only after a
// second, explicit confirmation. On the server the page asks every few seconds which run the
// report folder holds (GET run); when a new run replaced the one shown, a banner offers a reload,
// and the server refuses decisions sent from this page until then.
(() => {
  "use strict";
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const body = document.body;
  const token = body.dataset.reviewToken;
  const storeKey = `email-harness:decisions:${body.dataset.run}`;
  const articles = $$("article.case[data-approvable]");
  const byId = new Map(articles.map((a) => [a.dataset.case, a]));
  const view = () => window.emailReport;
  // Who gets the email changes: never approved in one click.
  const flips = (el) => ["now sent", "no longer sent"].includes(el.dataset.switch);

  let local = {};
  if (!token) {
    try { local = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch { local = {}; }
  }
  const save = () => { try { localStorage.setItem(storeKey, JSON.stringify(local)); } catch { /* private mode: kept until reload */ } };

  function setState(article, state, reason = "", carried = false) {
    article.dataset.state = state;
    if (!carried) delete article.dataset.carried;
    article.classList.toggle("approved", state === "approved");
    article.classList.toggle("rejected", state === "rejected");
    // A rejection carried over from an earlier run of the same content says so: undo clears it.
    const rejected = carried ? "rejected on an earlier run" : "rejected";
    const words = { approved: "approved", rejected: reason ? `${rejected}: ${reason}` : rejected, stale: "stale: the snapshot changed since this run" };
    article.querySelector(".state").textContent = words[state] || "";
  }

  function refresh() {
    const done = articles.filter((a) => ["approved", "rejected"].includes(a.dataset.state)).length;
    const bar = document.querySelector(".progress progress");
    bar.value = done;
    document.querySelector("[data-testid=progress]").textContent = `${done} of ${articles.length} reviewed`;
    const count = (state) => articles.filter((a) => a.dataset.state === state).length;
    document.querySelector("[data-testid=decided]").textContent = `${count("approved")} approved · ${count("rejected")} rejected`;
    for (const group of $$("section.group")) {
      const mine = $$("article.case[data-approvable]", group);
      if (!mine.length) continue;
      const decided = mine.filter((a) => ["approved", "rejected"].includes(a.dataset.state)).length;
      const left = mine.length - decided;
      group.querySelector("[data-testid=group-state]").textContent = `${decided} of ${mine.length} reviewed`;
      group.dataset.done = decided === mine.length ? "1" : "0";
      const which = left === mine.length || left === 0 ? (mine.length > 1 ? `all ${mine.length}` : "it") : `the ${left} open`;
      const approve = group.querySelector(".approve-group"), reject = group.querySelector(".reject-group");
      approve.textContent = `Approve ${which}${flips(group) ? "…" : ""}`;
      reject.textContent = `Reject ${which}`;
      approve.disabled = reject.disabled = left === 0;
      group.querySelector(".undo-group").disabled = decided === 0;
    }
    view()?.applyFilters();
  }

  // -- the two back ends ------------------------------------------------------------------------
  async function send(action, payload) {
    let response;
    try {
      response = await fetch(action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Review-Token": token, "X-Review-Run": body.dataset.results },
        body: JSON.stringify(payload),
      });
    } catch {
      return { ok: false, error: "the review server does not answer: is 'email-harness review' still running?" };
    }
    let answer = {};
    try { answer = await response.json(); } catch { answer = { error: `${response.status} ${response.statusText}` }; }
    if (answer.stale_run) staleRun(answer.stale_run);
    return { ok: response.ok, ...answer };
  }

  // -- a new run replaces the one shown ---------------------------------------------------------
  const banner = document.querySelector(".stale-run");
  function staleRun(results) {
    banner.querySelector(".stale-new").textContent = results;
    banner.hidden = false;
  }
  banner.querySelector("[data-tool=reload]").addEventListener("click", () => window.location.reload());
  async function checkRun() {
    if (document.hidden) return;
    try {
      const response = await fetch("run", { cache: "no-store" });
      const now = response.ok ? await response.json() : {};
      if (now.results && now.results !== body.dataset.results) staleRun(now.results);
    } catch { /* the server stopped: decisions say so when tried */ }
  }
  if (token) {
    window.setInterval(checkRun, 2000);
    document.addEventListener("visibilitychange", checkRun);
  }

  function decideLocally(action, ids, { reason = "", confirm = false, group = "" }) {
    const cases = [];
    const errors = {};
    for (const id of ids) {
      const article = byId.get(id);
      if (action === "undo") { delete local[id]; cases.push(id); continue; }
      if (action === "approve" && flips(article) && !confirm) { errors[id] = "needs the outcome confirmation"; continue; }
      local[id] = {
        decision: action, reason, confirm_outcome: action === "approve" && confirm, group,
        old: article.dataset.old || null, new: article.dataset.new || null, when: new Date().toISOString().slice(0, 19) + "+00:00",
      };
      cases.push(id);
    }
    save();
    return { ok: true, cases, errors };
  }

  // -- acting on a change or a case -------------------------------------------------------------
  const groupOf = (element) => element.closest("section.group");
  const open = (state) => state !== "approved" && state !== "rejected";

  function targets(action, group, caseId) {
    if (caseId) return [caseId];
    const mine = $$("article.case[data-approvable]", group);
    // A change's approve or reject covers its undecided cases; undo covers the decided ones.
    return mine.filter((a) => (action === "undo" ? !open(a.dataset.state) : open(a.dataset.state))).map((a) => a.dataset.case);
  }

  async function decide(action, group, { caseId = "", confirm = false } = {}) {
    const out = group.querySelector(".group-outcome");
    const ids = targets(action, group, caseId);
    if (!ids.length) { out.textContent = action === "undo" ? "nothing to undo" : "every case here is decided; undo first"; return; }
    const needsConfirm = action === "approve" && ids.some((id) => flips(byId.get(id)));
    if (needsConfirm && !confirm) return askConfirmation(group, caseId, ids.length);
    const reason = action === "reject" ? group.querySelector(".reason").value.trim() : "";
    const payload = { reason, confirm_outcome: confirm, group: group.dataset.group };
    const busy = working(group, out, action, ids.length);
    let answer;
    try {
      if (token) {
        answer = await send(action, caseId ? { case: caseId, ...payload } : payload);
      } else {
        answer = decideLocally(action, ids, { reason, confirm, group: group.dataset.group });
      }
    } finally {
      busy.done();
    }
    for (const id of answer.cases || []) {
      const article = byId.get(id);
      if (article) setState(article, action === "approve" ? "approved" : action === "reject" ? "rejected" : "", reason);
    }
    const failed = Object.entries(answer.errors || {});
    const count = (answer.cases || []).length, cases = `${count} case${count === 1 ? "" : "s"}`;
    const where = !token ? " in this browser (Export decisions to apply them)"
      : action === "approve" ? ": snapshots written, logged in snapshots/review-log.jsonl" : ": logged in snapshots/review-log.jsonl";
    out.textContent = answer.error && !count ? answer.error
      : failed.length ? `${cases} done; ${failed.length} refused: ${failed.map(([id, why]) => `${id}: ${why}`).join("; ")}`
      : `${cases} ${{ approve: "approved", reject: "rejected", undo: "undone" }[action]}${count ? where : ""}${busy.took()}`;
    if (action === "reject") group.querySelector(".reason").value = "";
    refresh();
  }

  // While the server writes snapshots (seconds, for a big change): what is being done, to how
  // many cases, for how long; the change's buttons wait until it answers.
  function working(group, out, action, count) {
    const verb = { approve: "Approving", reject: "Rejecting", undo: "Undoing" }[action];
    const what = `${verb} ${count} case${count === 1 ? "" : "s"}`;
    const started = Date.now();
    const bar = document.createElement("progress");
    bar.setAttribute("aria-label", what);
    const words = document.createElement("span");
    words.className = "working";
    const seconds = () => Math.floor((Date.now() - started) / 1000);
    const tick = () => { words.textContent = `${what}…${seconds() ? ` ${seconds()} s` : ""}`; };
    tick();
    out.replaceChildren(bar, words);
    const timer = window.setInterval(tick, 500);
    const buttons = $$(".decide button, .case-actions button", group).filter((b) => !b.disabled);
    for (const b of buttons) b.disabled = true;
    group.setAttribute("aria-busy", "true");
    return {
      done() { window.clearInterval(timer); for (const b of buttons) b.disabled = false; group.removeAttribute("aria-busy"); },
      took() { const ms = Date.now() - started; return ms >= 1000 ? ` (${(ms / 1000).toFixed(1)} s)` : ""; },
    };
  }

  function askConfirmation(group, caseId, count) {
    const box = group.querySelector(".confirm");
    box.hidden = false;
    box.dataset.case = caseId;
    box.querySelector(".confirm-what").textContent = caseId ? caseId : `these ${count} accounts`;
    const check = box.querySelector(".confirm-outcome");
    check.checked = false;
    box.querySelector(".confirm-approve").disabled = true;
    check.focus();
  }

  for (const group of $$("section.group")) {
    for (const button of $$(".decide [data-action]", group)) button.addEventListener("click", () => decide(button.dataset.action, group));
    for (const button of $$(".case-actions [data-action]", group)) {
      button.addEventListener("click", () => decide(button.dataset.action, group, { caseId: button.dataset.target }));
    }
    const reason = group.querySelector(".reason");
    reason?.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); decide("reject", group, { caseId: reason.dataset.case || "" }); delete reason.dataset.case; }
      if (event.key === "Escape") { delete reason.dataset.case; group.focus(); }
    });
    const box = group.querySelector(".confirm");
    if (!box) continue;
    const check = box.querySelector(".confirm-outcome"), go = box.querySelector(".confirm-approve");
    check.addEventListener("change", () => { go.disabled = !check.checked; });
    go.addEventListener("click", async () => {
      if (!check.checked) return;
      box.hidden = true;
      await decide("approve", group, { caseId: box.dataset.case || "", confirm: true });
    });
    const cancel = () => { box.hidden = true; group.querySelector(".approve-group").focus(); };
    box.querySelector(".confirm-cancel").addEventListener("click", cancel);
    box.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); cancel(); } });
  }

  // -- export and finish ------------------------------------------------------------------------
  function exportDecisions() {
    if (token) { window.location.assign("decisions.json"); return; }
    const decisions = Object.entries(local).map(([id, d]) => ({ case: id, who: "", ...d }));
    const file = { format: "email-harness-decisions/1", run: body.dataset.run, decisions };
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2) + "\n"], { type: "application/json" }));
    link.download = body.dataset.decisionsFile;
    document.body.append(link);
    link.click();
    link.remove();
  }

  const dialog = document.getElementById("finish");
  function finish() {
    const count = (state) => articles.filter((a) => a.dataset.state === state).length;
    const open = articles.length - count("approved") - count("rejected");
    dialog.querySelector(".finish-counts").textContent =
      `${articles.length - open} of ${articles.length} reviewed: ${count("approved")} approved, ${count("rejected")} rejected` + (open ? `, ${open} still open.` : ".");
    const folder = body.dataset.folder;
    dialog.querySelector(".finish-next").textContent = token
      ? "Approved snapshots are written and logged in snapshots/review-log.jsonl. Commit snapshots/, then run 'email-harness run': rejected cases keep failing until their template is fixed."
      : `Export the decisions, then apply them: email-harness approve --from ${folder} --decisions ${body.dataset.decisionsFile}`;
    dialog.querySelector("[data-tool=first-open]").hidden = !open;
    dialog.showModal();
  }
  for (const button of $$("[data-tool=export]")) button.addEventListener("click", exportDecisions);
  document.querySelector("[data-tool=finish]").addEventListener("click", finish);
  dialog.querySelector("[data-tool=close]").addEventListener("click", () => dialog.close());
  dialog.querySelector("[data-tool=first-open]").addEventListener("click", () => {
    dialog.close();
    const first = articles.find((a) => open(a.dataset.state));
    if (first) view().showCase(first);
  });

  // -- keys -------------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, dialog") || event.metaKey || event.ctrlKey || event.altKey) return;
    const group = view()?.current();
    if (!group || !group.querySelector(".decide")) return;
    const article = view().openArticle();
    const caseId = event.shiftKey && article?.dataset.approvable ? article.dataset.case : "";
    const key = event.key.toLowerCase();
    if (key === "a") decide("approve", group, { caseId });
    else if (key === "u") decide("undo", group, { caseId });
    else if (key === "r") {
      const reason = group.querySelector(".reason");
      if (caseId) reason.dataset.case = caseId; else delete reason.dataset.case;
      reason.placeholder = caseId ? `why reject ${caseId}? Enter to reject` : "why reject this change? Enter to reject";
      reason.focus();
    } else return;
    event.preventDefault();
  });

  // Decisions kept in this browser (from disk) come back after a reload.
  if (!token) for (const [id, d] of Object.entries(local)) { const a = byId.get(id); if (a) setState(a, d.decision === "approve" ? "approved" : "rejected", d.reason); }
  else for (const a of articles) setState(a, a.dataset.state, a.dataset.reason || "", a.dataset.carried === "1");
  refresh();
})();
