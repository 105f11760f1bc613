"""``accessibility``: the structure screen readers rely on, checked on the HTML, plus an axe-core
scan (WCAG 2.x A/AA rules) in the screenshot page when the case has screenshots: the full scan in
light mode, colour contrast again in every ``-dark`` viewport (the email's own dark styles), and
contrast measured from the pixels of every ``-forced-dark`` viewport (Chromium's auto dark mode
recolours at paint time, which styles and so axe-core cannot see)."""

from __future__ import annotations

from collections.abc import Iterator

from ...render.formatting import text_direction
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._page import grouped, where


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class AccessibilityOptions(RuleOptions):
    axe: bool = True
    """Report the axe-core scans' violations and the forced-dark contrast (with screenshots).
    To accept one kind, an ignore entry: ``{value: color-contrast, reason: ...}`` for axe's
    colour contrast, ``{value: contrast, reason: ...}`` for it and the forced-dark measurement."""


@rules.register("accessibility", options=AccessibilityOptions)
def accessibility(ctx: RuleContext) -> Iterator[Finding]:
    """``lang`` on <html>, and ``dir`` where the email is right to left (by its locale or most of
    its text; a left-to-right document needs none); layout tables (no <th>) marked
    ``role="presentation"``; headings in order, starting at h1, never skipping a level; axe-core
    violations (critical and serious are errors, moderate and minor warnings), in light and dark;
    forced-dark text under 4.5:1 (3:1 large), a warning (Chromium's auto dark mode only
    approximates the mail apps)."""
    facts = ctx._facts
    html = next(iter(facts.named("html")), None)
    lang = str(html.get("lang", "")) if html else ""
    if not lang or lang == "und":
        yield ctx.error(f"<html lang={lang!r}>", element="html[lang]", expected=f"the email's language ({ctx.email.locale}): <mjml lang=...>")
    # Without dir a document is left to right: a finding only where the email is not (its
    # language, or most of its text, is right to left).
    if not html or not html.get("dir"):
        why = (f"its language ({ctx.email.locale}) is written right to left" if text_direction(ctx.email.locale) == "rtl"
               else "most of its text is right to left" if facts.right_to_left else "")
        if why:
            yield ctx.error(f"<html> has no dir, and {why}", element="html[dir]", expected='dir="rtl": <mjml dir="rtl"> or <html dir="rtl">')
    # A table with a <th> below it is a data table: each <th>'s tables, not a search per table.
    with_headers = {id(table) for th in facts.named("th") for table in th.parents if table.name == "table"}
    layout_tables = [t for t in facts.named("table") if id(t) not in with_headers and t.get("role") != "presentation"]
    if layout_tables:
        yield ctx.error(
            f"{len(layout_tables)} layout table(s) without role=\"presentation\"",
            element="table:not([role=presentation])",
            expected="screen readers skip layout tables only when marked presentational",
        )
    previous = 0
    for heading in (tag for tag in facts.tags if tag.name in _HEADINGS):
        level = int(heading.name[1])
        if level > previous + 1:
            yield ctx.warning(f"<{heading.name}> follows <h{previous}>" if previous else f"first heading is <{heading.name}>", element=heading.name, expected=f"<h{previous + 1}>")
        previous = level
    if not ctx.options.get("axe", True):
        return
    # (violation, the viewports it was seen in): the light scan names none, it is no dark one.
    violations: list[tuple[dict, list[str]]] = [(v, []) for v in ctx.axe or []]
    # Dark mode: axe-core's colour-contrast in each ``-dark`` viewport, one finding for the same
    # elements seen in several.
    violations += grouped(ctx, "axe", lambda v: (v["id"], tuple(v["nodes"])))
    for violation, viewports in violations:
        report = ctx.error if violation["impact"] in ("critical", "serious") else ctx.warning
        nodes = violation["nodes"]
        element = "; ".join(nodes[:3]) + (f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else "")
        dark = [v for v in viewports if v.endswith("-dark")]
        yield report(
            f"axe {violation['id']} ({violation['impact']}){' in ' + where(dark) if dark else ''}: {violation['help']}",
            element=element,
            expected=f"no {violation['id']} violation (https://dequeuniversity.com/rules/axe/4.12/{violation['id']})",
        )
    # Forced dark (an app darkening the email itself): contrast measured from the pixels of
    # Chromium's auto dark mode, which only approximates how Gmail or Outlook recolour: a
    # warning that says so, never an error that fails a case on an estimate.
    # Each measurement is a LowContrast as a dict (harness/screenshots/contrast.py): every key is there.
    for low, viewports in grouped(ctx, "contrast", lambda c: (c["element"], c["foreground"], c["background"])):
        yield ctx.warning(
            f"text at about {low['ratio']}:1 contrast in {where(viewports)} ({low['foreground']} on {low['background']}; "
            f"an approximation from Chromium's auto dark mode): {low['text']!r}",
            element=low["element"],
            expected=(
                f"at least {low['required']}:1 when a mail app darkens the email itself: give the email dark styles "
                "of its own, or colours that survive inversion"
            ),
        )
