"""``images-off``: with remote images blocked, as most mail clients open an email, it still says
what it is for.

Measured in the ``-images-off`` screenshot viewports (``harness.screenshots.probes.images``):
the text a reader sees there (alt text is not part of it: several clients show it cut, or not at
all) must carry the message. Two ways an email fails: it is mostly pictures (fewer live words
than ``min_words``), or a picture's alt text reads as a sentence (``text_words`` words or more)
whose words are not in the live text, i.e. a message that exists only in an image. A thumbnail,
icon or logo (narrower than :data:`PICTURE_WIDTH`) carries no message: its alt text describes
it. Needs screenshots with an ``-images-off`` viewport (``screenshots.variants``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import Field

from ..base import Finding, RuleContext, rules
from ..options import RuleOptions
from ._page import measured

_WORD = re.compile(r"\w+")
#: An image at least this many px² is a picture that can carry a message (200 x 100); smaller
#: ones are logos and icons.
PICTURE_AREA = 20_000
#: An image narrower than this (drawn and declared) is a thumbnail, an icon or a logo: its alt
#: text describes it ("Blue mug, 350 ml") and is no message of the email's own.
PICTURE_WIDTH = 200


def _words(text: str, *, shortest: int = 1) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text) if len(w) >= shortest]


def _width(image: dict) -> int:
    """The wider of the box drawn and the width declared in HTML."""
    declared = image.get("declared") or [0, 0]
    return max(int(image.get("width", 0)), int(declared[0]))


def _area(image: dict) -> int:
    """The larger of the box drawn (alt text, with images off) and the size declared in HTML."""
    declared = image.get("declared") or [0, 0]
    return max(int(image.get("width", 0)) * int(image.get("height", 0)), int(declared[0]) * int(declared[1]))


class ImagesOffOptions(RuleOptions):
    min_words: int = Field(20, ge=0)
    """Live words an email beside big pictures shows at least, with images off."""
    text_words: int = Field(4, ge=1)
    """An alt text of this many words (of 3 letters or more) is a message: its words must also be
    in the live text."""


@rules.register("images-off", options=ImagesOffOptions)
def images_off(ctx: RuleContext) -> Iterator[Finding]:
    """With images blocked (the ``-images-off`` viewports), the email still says what it is for:
    not an email of pictures, and no message that exists only in an image."""
    min_words = int(ctx.options.get("min_words", 20))
    text_words = int(ctx.options.get("text_words", 4))
    reported: set[str] = set()
    for name, seen in measured(ctx, "images"):
        if not isinstance(seen, dict):
            continue
        text = " ".join(str(seen.get("text", "")).split())
        live = _words(text)
        pictures = [i for i in seen.get("images", []) if i.get("visible") and _area(i) >= PICTURE_AREA]
        # A short email of text is fine (a receipt); a short text beside big pictures is not.
        if len(live) < min_words and pictures and "few" not in reported:
            reported.add("few")
            yield ctx.error(
                f"with images off ({name}) the email shows {len(live)} words beside {len(pictures)} blocked picture(s): {text[:120]!r}",
                element="; ".join(str(i.get("element", "img")) for i in pictures[:3]),
                expected=f"the message in live text (at least {min_words} words), not in pictures",
            )
        vocabulary = set(live)
        for image in seen.get("images", []):
            alt = str(image.get("alt") or "")
            words = _words(alt, shortest=3)  # "on", "to": in any text, they prove nothing
            if not image.get("visible") or len(words) < text_words or _width(image) < PICTURE_WIDTH or image.get("element") in reported:
                continue
            missing = [w for w in words if w not in vocabulary]
            if len(missing) * 2 > len(words):
                reported.add(str(image.get("element")))
                yield ctx.error(
                    f"a message only in an image ({name}): alt {alt[:120]!r}; {len(missing)} of its {len(words)} words are nowhere in the text",
                    element=str(image.get("element", "img")),
                    expected="the words of the image in live text too: with images off readers get at most the alt text",
                )
