"""``approved-copy``: named paragraphs (scam warning, legal footer) read exactly as approved."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._text import fold, word_diff


class ApprovedCopyOptions(RuleOptions):
    blocks: list[str] = Field(min_length=1, examples=[["scam-warning", "legal-footer"]])
    """Names of ``templates/_copy/LOCALE.yaml`` entries; each must be in the HTML as
    ``[data-copy=NAME]``. Without any, the rule would check nothing: required."""


@rules.register("approved-copy", options=ApprovedCopyOptions)
def approved_copy(ctx: RuleContext) -> Iterator[Finding]:
    """Named paragraphs (a scam warning, a legal footer) read exactly as approved: each block is in
    the HTML as ``[data-copy=NAME]`` with the text of ``templates/_copy/LOCALE.yaml`` (white space
    folded), and in the text part."""
    text_part = fold(ctx.email.text)
    for block in ctx.options.get("blocks", []):
        expected = ctx.approved_copy.get(block)
        selector = f"[data-copy={block}]"
        if expected is None:
            yield ctx.error(f"no approved copy {block!r} for locale {ctx.email.locale}", element=f"_copy/{ctx.email.locale}.yaml")
            continue
        elements = [e for e in ctx._facts.having("data-copy") if e["data-copy"] == block]  # not a CSS select: ~10x slower
        if not elements:
            yield ctx.error(f"approved paragraph {block!r} missing from the HTML", element=selector, expected=expected[:80] + "...")
        for element in elements:
            found = fold(element.get_text(" "))
            if found != expected:
                yield ctx.error(
                    f"{block!r} differs from the approved copy: {word_diff(expected, found)}",
                    element=selector,
                    expected=f"templates/_copy/{ctx.email.locale}.yaml: {block}",
                    node=element,
                )
        if expected not in text_part:
            yield ctx.error(f"approved paragraph {block!r} missing or altered in the text part", element="text part", expected=expected[:80] + "...")
