"""The screenshot stage of one case: reuse, shoot, compare, and what to store.

Decisions, in order, for each case that has screenshots:

1. **Reuse.** The approved manifest records the sha256 of the normalized HTML and the fingerprint
   (browser, flags, fonts) its PNGs were taken with. When both equal this run's, the PNGs cannot
   have changed: they are reused without starting a page.
2. **Shoot and compare.** Otherwise the camera shoots; identical bytes pass for free, else
   pixelmatch counts changed pixels with the template's ``threshold``; up to ``max_diff_ratio``
   of pixels may differ.
2a. **The local shot cache.** Before shooting, the run looks in :class:`.cache.ShotCache` for
   this machine's shots of the same document, looks and browser; a run after the first on a
   machine whose browser differs from the approving one takes no screenshot. Approvals never
   read it (what goes into ``snapshots/`` is taken by this run's browser), and neither does a
   cold run (``reuse=False``); both still fill it.
3. **Another browser, same HTML.** Pixels that differ although the HTML did not can only come
   from the environment (a Chromium update, other fonts). They are reported once per run as an
   environment note with the re-baseline command, not as a failure of every case: the HTML
   snapshot still guards the content, and a real change to the email changes its HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..catalog.templates import ScreenshotSettings
from .browser import Fingerprint
from .cache import ShotCache
from .camera import Camera
from .compare import compare_png
from .probes import VERSION as PROBES_VERSION
from .viewports import Viewport, viewport

__all__ = ["ScreenshotChange", "ScreenshotOutcome", "screenshot_case"]


@dataclass(frozen=True)
class ScreenshotChange:
    filename: str
    status: Literal["changed", "new", "removed"]
    description: str = ""


@dataclass
class ScreenshotOutcome:
    #: viewport file name -> PNG bytes to store if approved (the approved bytes when unchanged).
    pngs: dict[str, bytes] = field(default_factory=dict)
    changes: list[ScreenshotChange] = field(default_factory=list)
    #: Evidence for the report: ``<viewport>.diff.png`` per changed viewport.
    diffs: dict[str, bytes] = field(default_factory=dict)
    #: axe-core violations, from this run's page or from the approved manifest when reused.
    axe: list[dict[str, Any]] | None = None
    #: What the page measured per viewport (see ``Shots.page``), likewise.
    page: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The manifest block to store with the PNGs.
    manifest: dict[str, Any] = field(default_factory=dict)
    reused: bool = False
    #: Taken by this machine's browser on an earlier run, read from the shot cache.
    cached: bool = False
    #: Set when the approved PNGs were taken in another environment: what differs.
    environment: str = ""
    #: Viewports whose pixels differ although the HTML did not (environment noise, not failed).
    environment_diffs: int = 0


def screenshot_case(
    camera: Camera,
    settings: ScreenshotSettings,
    html: str,
    html_hash: str,
    approved_parts: dict[str, bytes],
    approved_block: dict[str, Any] | None,
    *,
    accessibility: bool,
    viewports: Sequence[Viewport] | None = None,
    rtl: bool = False,
    approving: bool = False,
    reuse: bool = True,
    cache: ShotCache | None = None,
) -> ScreenshotOutcome:
    """Screenshots of one case against its approved PNGs, in ``viewports`` (default: the
    settings' viewports). ``approving`` re-baselines: this machine's pixels and fingerprint are
    kept even where the difference is only noise. ``cache``: this machine's earlier shots (read
    unless approving or ``reuse`` is off; written with every shot taken)."""
    viewports = list(viewports) if viewports is not None else [viewport(name) for name in settings.viewports]
    fingerprint = camera.fingerprint
    manifest: dict[str, Any] = {
        "html": html_hash,
        "fingerprint": fingerprint.to_json(),
        "viewports": [v.name for v in viewports],
        "mask": list(settings.mask),
        # What the page measured is reused with the PNGs only if measured the same way.
        "probes": PROBES_VERSION,
    }
    approved_block = approved_block or {}
    approved_fp = Fingerprint.from_json(approved_block.get("fingerprint"))
    same_html = approved_block.get("html") == html_hash
    # Only then can a pixel difference come from the environment alone.
    same_inputs = same_html and approved_block.get("mask") == manifest["mask"]

    wanted = {v.filename for v in viewports}
    if (
        reuse
        and same_html
        and approved_fp == fingerprint
        and approved_block.get("viewports") == manifest["viewports"]
        and approved_block.get("mask") == manifest["mask"]
        and wanted <= approved_parts.keys()
        and approved_block.get("probes") == PROBES_VERSION
        and approved_block.get("rtl", False) == rtl
        and (not accessibility or approved_block.get("axe") is not None)
    ):
        axe, page = approved_block.get("axe"), approved_block.get("page") or {}
        return ScreenshotOutcome(
            pngs={name: approved_parts[name] for name in sorted(wanted)},
            axe=axe,
            page=page,
            manifest=_with_facts(manifest, axe, page, rtl),
            reused=True,
        )

    key = cache.key(html, viewports, mask=settings.mask, accessibility=accessibility, rtl=rtl, fingerprint=fingerprint) if cache else ""
    shots = cache.get(key) if cache is not None and reuse and not approving else None
    cached = shots is not None
    if shots is None:
        shots = camera.shoot(html, viewports, mask=settings.mask, accessibility=accessibility, rtl=rtl)
        if cache is not None:
            cache.put(key, shots)
    outcome = ScreenshotOutcome(axe=shots.axe, page=shots.page, manifest=_with_facts(manifest, shots.axe, shots.page, rtl), cached=cached)
    for vp in viewports:
        received = shots.pngs[vp.name]
        approved = approved_parts.get(vp.filename)
        outcome.pngs[vp.filename] = received
        if approved is None:
            outcome.changes.append(ScreenshotChange(vp.filename, "new"))
            continue
        if approved == received:
            continue
        # A machine whose pixels differ from the approved ones by noise compares the same pair on
        # every run: the cache remembers the figures (not the diff image, drawn when needed).
        diff = cache.get_verdict(approved, received, settings.threshold) if cache is not None and not approving else None
        if diff is None:
            with camera.stopwatch.stage("image-diff"):
                diff = compare_png(approved, received, threshold=settings.threshold, label=vp.filename)
            if cache is not None:
                cache.put_verdict(approved, received, settings.threshold, diff)
        if diff.ratio <= settings.max_diff_ratio:
            # Within tolerance and the same document: keep the approved bytes (no churn from
            # noise). A changed document keeps the shot of the new HTML, so the report approves
            # the picture of what it approves; the old bytes would stay the baseline of every
            # later edit, and small edits would add up unseen.
            if not approving and same_inputs:
                outcome.pngs[vp.filename] = approved
        elif same_inputs and approved_fp is not None and approved_fp != fingerprint:
            if not approving:
                outcome.pngs[vp.filename] = approved
                outcome.environment_diffs += 1
        else:
            if diff.changed_pixels and diff.diff_png is None:  # a remembered verdict: draw the diff now
                with camera.stopwatch.stage("image-diff"):
                    diff = compare_png(approved, received, threshold=settings.threshold, label=vp.filename)
            outcome.changes.append(ScreenshotChange(vp.filename, "changed", diff.describe()))
            if diff.diff_png:
                outcome.diffs[vp.filename.replace(".png", ".diff.png")] = diff.diff_png
    for filename in sorted(approved_parts):
        if filename.endswith(".png") and filename not in wanted:
            outcome.changes.append(ScreenshotChange(filename, "removed", "viewport no longer screenshotted"))
    if approved_fp is not None and approved_fp != fingerprint:
        outcome.environment = approved_fp.describe_difference(fingerprint)
        if outcome.environment_diffs and not approving:
            # Keep the approved fingerprint: those PNGs were not re-taken on this machine.
            outcome.manifest["fingerprint"] = approved_fp.to_json()
    return outcome


def _with_facts(manifest: dict[str, Any], axe: list[dict[str, Any]] | None, page: dict[str, dict[str, Any]], rtl: bool) -> dict[str, Any]:
    """The manifest block with what the page measured, so a reused case keeps its findings."""
    return {**manifest, **({"axe": axe} if axe is not None else {}), "page": page, **({"rtl": True} if rtl else {})}
