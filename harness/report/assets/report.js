// The report's views: which change and case is shown, screenshot tabs, the four ways to compare
// (side by side, slider, overlay, diff), zoom to the changed regions, the kind filter, and keys.
// Works from disk (file://) as well as from the review server; decisions are in review.js.
// Zoom belongs to a screenshot panel, not to a mode: every mode shows the same window of the
// screenshot, in any order, and each panel opens at its first changed region.
(() => {
  "use strict";
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const groups = $$("section.group");
  const PAD = 24;

  // -- screenshots ------------------------------------------------------------------------------
  const regionsOf = (panel) => { try { return JSON.parse(panel.dataset.regions || "[]"); } catch { return []; } };

  function layout(panel) {
    if (!panel || panel.hidden || panel.offsetParent === null) return;
    // Images are lazy so a long report opens fast; a shown panel loads all of its own, or a
    // layer shown later under a zoomed window (the diff, the slider's after image) stays empty:
    // a lazy image waits to scroll into view, and its empty box lies outside the window.
    for (const img of $$("img[loading=lazy]", panel)) img.loading = "eager";
    const width = Number(panel.dataset.w), height = Number(panel.dataset.h);
    if (!width || !height) return;
    const zoom = Number(panel.dataset.zoom || 0);
    const region = regionsOf(panel)[zoom - 1];
    let [x, y, w, h] = [0, 0, width, height];
    if (zoom && region) {
      w = Math.min(width, Math.max(region[2] + 2 * PAD, width / 2));
      h = Math.min(height, Math.max(region[3] + 2 * PAD, 160));
      x = Math.max(0, Math.min(width - w, region[0] - (w - region[2]) / 2));
      y = Math.max(0, Math.min(height - h, region[1] - (h - region[3]) / 2));
    }
    panel.dataset.window = [x, y, w, h].map(Math.round).join(",");
    for (const stage of $$(".stage", panel)) {
      if (stage.offsetParent === null) continue;
      const available = stage.parentElement.clientWidth || w;
      const scale = Math.min(zoom ? 2 : 1, available / w);
      stage.style.width = `${Math.floor(w * scale)}px`;
      stage.style.height = `${Math.ceil(h * scale)}px`;
      stage.firstElementChild.style.transform = `scale(${scale}) translate(${-x}px, ${-y}px)`;
    }
    mix(panel);
  }

  function mix(panel) {
    const after = panel.querySelector(".stack .l-after");
    if (!after) return;
    const mode = panel.dataset.mode;
    // The slider splits the window shown, not the whole screenshot: zoomed to a region, 50%
    // is the middle of the region, where a split of the whole could fall outside the window.
    const [x, , w] = (panel.dataset.window || `0,0,${panel.dataset.w || 0},0`).split(",").map(Number);
    const split = x + (w * panel.querySelector(".slide").value) / 100;
    after.style.clipPath = mode === "slider" ? `inset(0 0 0 ${split}px)` : "none";
    after.style.opacity = mode === "overlay" ? String(panel.querySelector(".opacity").value / 100) : "1";
  }

  const visiblePanel = (shots) => shots && shots.querySelector(".shot:not([hidden])");

  function zoomLabel(shots) {
    const panel = visiblePanel(shots), button = shots.querySelector(".zoom");
    if (!panel || !button) return;
    const count = regionsOf(panel).length, zoom = Number(panel.dataset.zoom || 0);
    button.disabled = count === 0 || panel.dataset.mode === "single";
    button.setAttribute("aria-pressed", String(zoom > 0));
    button.textContent = zoom ? `Zoomed to change ${zoom} of ${count} (${zoom < count ? "next" : "whole screenshot next"})`
      : count ? `Zoom to change${count > 1 ? ` 1 of ${count}` : ""}` : "No changed region";
    for (const b of $$(".modes button", shots)) b.setAttribute("aria-pressed", String(b.dataset.mode === panel.dataset.mode));
  }

  function setMode(shots, mode) {
    for (const panel of $$(".shot", shots)) {
      if (panel.dataset.mode === "single") continue;
      panel.dataset.mode = mode;
      mix(panel);
    }
    zoomLabel(shots);
    layout(visiblePanel(shots));
  }

  function nextZoom(shots) {
    const panel = visiblePanel(shots);
    if (!panel) return;
    const count = regionsOf(panel).length;
    panel.dataset.zoom = String(count ? (Number(panel.dataset.zoom || 0) + 1) % (count + 1) : 0);
    zoomLabel(shots);
    layout(panel);
  }

  function selectTab(tab, focus = false) {
    const list = tab.closest("[role=tablist]"), shots = tab.closest(".shots");
    for (const t of $$("[role=tab]", list)) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    zoomLabel(shots);
    layout(visiblePanel(shots));
  }

  for (const shots of $$(".shots")) {
    for (const b of $$(".modes button", shots)) b.addEventListener("click", () => setMode(shots, b.dataset.mode));
    shots.querySelector(".zoom").addEventListener("click", () => nextZoom(shots));
    for (const tab of $$("[role=tab]", shots)) {
      tab.addEventListener("click", () => selectTab(tab));
      tab.addEventListener("keydown", (event) => {
        const tabs = $$("[role=tab]", tab.parentElement), i = tabs.indexOf(tab);
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        selectTab(tabs[(to + tabs.length) % tabs.length], true);
      });
    }
    for (const panel of $$(".shot", shots)) {
      for (const input of $$("input[type=range]", panel)) input.addEventListener("input", () => mix(panel));
      // Each view opens at the first changed region (zoom again for the next, then the whole).
      if (panel.dataset.mode !== "single" && regionsOf(panel).length) panel.dataset.zoom = "1";
      mix(panel);
    }
    zoomLabel(shots);
  }

  const layoutWithin = (root) => { for (const shots of $$(".shots", root)) layout(visiblePanel(shots)); };
  let resizing = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(resizing); resizing = requestAnimationFrame(() => layoutWithin(document)); });

  // -- changes and cases ------------------------------------------------------------------------
  let current = null; // the change (group) the keys act on

  function openCase(article, open = true) {
    const button = article.querySelector("button.show"), view = article.querySelector(".case-view");
    button.setAttribute("aria-expanded", String(open));
    view.hidden = !open;
    if (open) layoutWithin(view);
  }

  function showCase(article, { scroll = true } = {}) {
    const group = article.closest("section.group");
    for (const other of $$("article.case", group)) if (other !== article) openCase(other, false);
    openCase(article, true);
    setCurrent(group);
    if (scroll) { article.focus({ preventScroll: true }); article.scrollIntoView({ block: "start" }); }
  }

  function setCurrent(group) {
    if (current) current.classList.remove("current");
    current = group;
    if (group) group.classList.add("current");
  }

  for (const article of $$("article.case")) {
    article.querySelector("button.show").addEventListener("click", (event) => {
      const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
      if (open) showCase(article, { scroll: false }); else openCase(article, false);
    });
  }
  for (const group of groups) group.addEventListener("focusin", () => setCurrent(group));

  const shown = () => groups.filter((g) => !g.classList.contains("hidden") && !g.classList.contains("done-hidden"));

  function focusGroup(step) {
    const list = shown();
    if (!list.length) return;
    const i = list.indexOf(current);
    const group = list[i < 0 ? (step > 0 ? 0 : list.length - 1) : (i + step + list.length) % list.length];
    setCurrent(group);
    group.focus({ preventScroll: true });
    group.scrollIntoView({ block: "start" });
    layoutWithin(group);
  }

  function stepCase(step) {
    if (!current) return focusGroup(1);
    const articles = $$("article.case", current);
    const open = articles.findIndex((a) => a.querySelector("button.show").getAttribute("aria-expanded") === "true");
    showCase(articles[(open + step + articles.length) % articles.length]);
  }

  const openArticle = () => current && $$("article.case", current).find((a) => !a.querySelector(".case-view").hidden);

  // -- filters ----------------------------------------------------------------------------------
  let kind = "all";
  function applyFilters() {
    const hideDone = document.querySelector("[data-tool=hide-done]")?.checked;
    for (const group of groups) {
      group.classList.toggle("hidden", kind !== "all" && !group.dataset.kinds.split(" ").includes(kind));
      group.classList.toggle("done-hidden", Boolean(hideDone && group.dataset.done === "1"));
    }
  }
  for (const button of $$(".filters button[data-kind]")) {
    button.addEventListener("click", () => {
      kind = button.dataset.kind;
      for (const b of $$(".filters button[data-kind]")) b.setAttribute("aria-pressed", String(b === button));
      applyFilters();
    });
  }
  document.querySelector("[data-tool=hide-done]")?.addEventListener("change", applyFilters);
  const keysButton = document.querySelector("[data-tool=keys]");
  const toggleKeys = () => {
    const panel = document.getElementById("keys");
    panel.hidden = !panel.hidden;
    keysButton.setAttribute("aria-expanded", String(!panel.hidden));
  };
  keysButton.addEventListener("click", toggleKeys);
  // Esc closes the keys help wherever the focus is (a <dialog> closes on Esc by itself).
  document.addEventListener("keydown", (event) => {
    const panel = document.getElementById("keys");
    if (event.key !== "Escape" || panel.hidden) return;
    toggleKeys();
    keysButton.focus();
    event.preventDefault();
  });

  // -- keys -------------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    // View keys work from a slider too; not while typing.
    if (event.target.closest("input:not([type=range]), textarea, select, dialog") || event.metaKey || event.ctrlKey || event.altKey) return;
    const shots = openArticle()?.querySelector(".shots");
    const modes = { 1: "side", 2: "slider", 3: "overlay", 4: "diff" };
    if (event.key === "j") focusGroup(1);
    else if (event.key === "k") focusGroup(-1);
    else if (event.key === "n") stepCase(1);
    else if (event.key === "p") stepCase(-1);
    else if (event.key === "?") toggleKeys();
    else if (shots && modes[event.key]) setMode(shots, modes[event.key]);
    else if (shots && event.key === "z") nextZoom(shots);
    else if (shots && event.key === "v") {
      const tabs = $$("[role=tab]", shots), i = tabs.findIndex((t) => t.getAttribute("aria-selected") === "true");
      selectTab(tabs[(i + 1) % tabs.length]);
    } else return;
    event.preventDefault();
  });

  // The sticky bar's height, for scroll-margin-top (report.css): a case scrolled to starts below
  // it, whatever the bar holds (filters wrapped, keys help open, a stale-run banner); 0 where
  // the bar does not stick (a phone).
  const bar = document.querySelector(".bar");
  const measureBar = () => document.documentElement.style.setProperty("--bar", `${getComputedStyle(bar).position === "sticky" ? bar.offsetHeight : 0}px`);
  if (bar) { measureBar(); if (window.ResizeObserver) new ResizeObserver(measureBar).observe(bar); window.addEventListener("resize", measureBar); }

  layoutWithin(document);
  window.emailReport = { applyFilters, current: () => current, openArticle, focusGroup, showCase };
})();
