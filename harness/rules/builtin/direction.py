"""``rtl-layout``: an email in a right-to-left language reads right to left, all of it.

Measured in the browser (``harness.screenshots.probes.direction``) from computed styles, so CSS,
``dir`` attributes and MJML's ``direction`` all count as the reader's client shows them: the
document, every table (a layout table left to right puts the first column on the wrong side) and
every block of right-to-left text run right to left and are not aligned left; and a number made
of several parts (a phone number, a date, an amount with its currency) keeps its order on screen,
measured by where each character is drawn. Needs screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._page import grouped, where

_EXPECTED = {
    "document-ltr": 'dir="rtl" on <html> and <body> (MJML: <mjml dir="rtl">) for a right-to-left language',
    "table-ltr": 'the table right to left: dir="rtl" (MJML: direction="rtl" on mj-section and mj-column)',
    "block-ltr": 'right-to-left text in a right-to-left block: dir="rtl", or dir="auto" for a value',
    "align-left": "right-to-left text aligned right (text-align: right or start; MJML: align=\"right\")",
    "reordered": 'the number kept in its order: <span dir="ltr"> around it (a value that may hold letters too: the bdi filter)',
}


@rules.register("rtl-layout", options=RuleOptions)
def rtl_layout(ctx: RuleContext) -> Iterator[Finding]:
    """A right-to-left email reads right to left, all of it (measured in the browser): document,
    tables and text blocks, and numbers of several parts kept in order. An error per element
    that runs or reads the wrong way, with the viewports it was seen in."""
    problems = grouped(ctx, "direction", lambda p: (p.get("kind"), p.get("element"), p.get("detail")))
    # A left-to-right document makes every table and block left to right: said once, there.
    document_ltr = any(p.get("kind") == "document-ltr" for p, _ in problems)
    inherited = [
        p for p, _ in problems
        if document_ltr and (str(p.get("detail", "")).endswith("from html)") or (p.get("kind") == "document-ltr" and p.get("element") != "html"))
    ] if any(p.get("kind") == "document-ltr" and p.get("element") == "html" for p, _ in problems) else []
    for problem, viewports in problems:
        if any(problem is p for p in inherited):
            continue
        kind = str(problem.get("kind"))
        text = problem.get("text") or ""
        detail = problem.get("detail") or kind
        if kind == "document-ltr" and problem.get("element") == "html" and inherited:
            detail += f", and with it {len(inherited)} table(s) and block(s)"
        yield ctx.error(
            f"{detail} ({ctx.email.locale}, {where(viewports)})" + (f": {text!r}" if text and kind != "reordered" else ""),
            element=str(problem.get("element", "")),
            expected=_EXPECTED.get(kind, "right-to-left layout"),
        )
