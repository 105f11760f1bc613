"""``accessibility``: the structure screen readers rely on, checked on the HTML."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, RuleContext, rules


@rules.register("accessibility")
def accessibility(ctx: RuleContext) -> Iterator[Finding]:
    """``lang`` and ``dir`` on <html>; layout tables (no <th>) marked ``role="presentation"``;
    headings in order, starting at h1, never skipping a level."""
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
