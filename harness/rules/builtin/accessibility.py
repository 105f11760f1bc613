"""``accessibility``: the structure screen readers rely on, checked on the HTML, plus an axe-core
scan (WCAG 2.x A/AA rules) in the screenshot page when the case has screenshots."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, RuleContext, rules


@rules.register("accessibility")
def accessibility(ctx: RuleContext) -> Iterator[Finding]:
    """``lang`` and ``dir`` on <html>; layout tables (no <th>) marked ``role="presentation"``;
    headings in order, starting at h1, never skipping a level; axe-core violations (critical and
    serious are errors, moderate and minor warnings). Options: ``axe: false`` skips the scan's
    findings, ``axe_ignore: [rule ids]`` skips some."""
    html = ctx.document.find("html")
    lang = str(html.get("lang", "")) if html else ""
    if not lang or lang == "und":
        yield ctx.error(f"<html lang={lang!r}>", element="html[lang]", expected=f"the email's language ({ctx.email.locale}): <mjml lang=...>")
    if not html or not html.get("dir"):
        yield ctx.error("<html> has no dir", element="html[dir]", expected='dir="ltr" or "rtl"')
    layout_tables = [t for t in ctx.document.find_all("table") if not t.find("th") and t.get("role") != "presentation"]
    if layout_tables:
        yield ctx.error(
            f"{len(layout_tables)} layout table(s) without role=\"presentation\"",
            element="table:not([role=presentation])",
            expected="screen readers skip layout tables only when marked presentational",
        )
    previous = 0
    for heading in ctx.document.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(heading.name[1])
        if level > previous + 1:
            yield ctx.warning(f"<{heading.name}> follows <h{previous}>" if previous else f"first heading is <{heading.name}>", element=heading.name, expected=f"<h{previous + 1}>")
        previous = level
    if ctx.axe is not None and ctx.options.get("axe", True):
        ignored = set(ctx.options.get("axe_ignore", []))
        for violation in ctx.axe:
            if violation["id"] in ignored:
                continue
            report = ctx.error if violation["impact"] in ("critical", "serious") else ctx.warning
            nodes = violation["nodes"]
            element = "; ".join(nodes[:3]) + (f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else "")
            yield report(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']}",
                element=element,
                expected=f"no {violation['id']} violation (https://dequeuniversity.com/rules/axe/4.12/{violation['id']})",
            )
