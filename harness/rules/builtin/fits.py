"""``text-fits``: no text overflows its column and the email is never wider than the window.

Measured in the browser (``harness.screenshots.probes.overflow``) in every screenshot viewport,
the pseudo-locale ones included: a German or pseudo-localized (~40% longer) word that does not
wrap pushes a column or the whole email sideways, and on a phone the reader scrolls sideways or
loses the end of the line. Needs screenshots: cases without them are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...screenshots.viewports import VIEWPORTS
from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._page import grouped, where

_SAYS = {
    "wider-than-viewport": "makes the email wider than the window by {by} px",
    "overflows-box": "overflows its {width} px box by {by} px",
    "clipped": "is cut off: {by} px of it hidden by its {width} px box",
    "clipped-height": "is cut off at the bottom: {by} px of it hidden by its {height} px tall box",
}


@rules.register("text-fits", options=RuleOptions)
def text_fits(ctx: RuleContext) -> Iterator[Finding]:
    """No text overflows its column and the email is never wider than the window (measured in the
    browser in every viewport). An error per element whose content overflows (or is clipped by)
    its box, or that makes the email wider than the viewport, naming the element, its text and
    the viewports."""
    # Images off is judged by ``images-off``: a blocked image's box is Chromium's alt-text box,
    # not what any client draws, so its width says nothing about the layout.
    for problem, viewports in grouped(ctx, "overflow", lambda p: (p.get("kind"), p.get("element")), skip=("-images-off",)):
        says = _SAYS.get(str(problem.get("kind")), "does not fit by {by} px").format(
            by=problem.get("by", "?"), width=problem.get("width", "?"), height=problem.get("height", "?"))
        widths = sorted({VIEWPORTS[v].width for v in viewports if v in VIEWPORTS})
        pseudo = any(v.endswith("-pseudo") for v in viewports)
        yield ctx.error(
            f"{problem.get('text') or 'this element'!r} {says} in {where(viewports)}",
            element=str(problem.get("element", "")),
            expected=(
                f"text that wraps inside its column at {', '.join(f'{w} px' for w in widths)}"
                + (" with text ~40% longer, as translations are (the -pseudo viewports)" if pseudo else "")
                + ": no white-space: nowrap on words that get translated, no fixed widths or heights"
                " around text, and long words allowed to break (overflow-wrap: anywhere)"
            ),
        )
