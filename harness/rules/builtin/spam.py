"""``spam-score``: SpamAssassin's score of the message, offline (see :mod:`harness.message.spam`),
with the rules that fired in the finding. Without SpamAssassin installed: a note saying how to
install it, never a failure."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field, model_validator

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions

__all__ = ["SpamScoreOptions"]


class SpamScoreOptions(RuleOptions):
    error_at: float = Field(5.0)
    """A score from here fails the case (SpamAssassin's own spam threshold)."""
    warning_at: float = Field(3.0)
    """A score from here is a warning: providers weigh more than SpamAssassin does."""

    @model_validator(mode="after")
    def _warning_below_error(self) -> SpamScoreOptions:
        if self.warning_at > self.error_at:
            raise ValueError(f"warning_at {self.warning_at} is above error_at {self.error_at}")
        return self


@rules.register("spam-score", options=SpamScoreOptions)
def spam_score(ctx: RuleContext) -> Iterator[Finding]:
    """The message's SpamAssassin score (network tests off) under ``error_at`` and ``warning_at``."""
    from ...message.spam import Unavailable, score

    data = ctx.email.mime
    if data is None:
        yield ctx.note("no message is built: declare message: (from, to...) in _catalog.yaml", element="message")
        return
    try:
        result = score(data)
    except Unavailable as exc:
        yield ctx.note(f"not scored: {exc}", element="message")
        return
    error_at = float(ctx.options.get("error_at", 5.0))
    warning_at = float(ctx.options.get("warning_at", 3.0))
    fired = ", ".join(f"{name} {points:+.1f}" for name, points, _ in result.rules if points) or "none with points"
    if result.score >= error_at:
        yield ctx.error(f"SpamAssassin scores the message {result.score:.1f}: {fired}", element="message", expected=f"under {error_at:.1f}")
    elif result.score >= warning_at:
        yield ctx.warning(f"SpamAssassin scores the message {result.score:.1f}: {fired}", element="message", expected=f"under {warning_at:.1f}")
