"""``no-foreign-data``: no personal data of any other fixture account in this email."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...fixtures import Account
from ..base import Finding, RuleContext, rules
from ._text import visible_text


def personal_values(account: Account) -> dict[str, str]:
    """Value -> what it is, for the data that identifies a customer."""
    values = {account.email: "email", account.name: "name", account.phone: "phone"}
    if account.address:
        values[account.address.line1] = "address"
    for order in account.orders:
        values[order.id] = "order id"
        for card in order.gift_cards:
            values[card.code] = "gift-card code"
        if order.shipment:
            values[order.shipment.tracking_number] = "tracking number"
    return {v: kind for v, kind in values.items() if len(v.strip()) >= 4}


@rules.register("no-foreign-data")
def no_foreign_data(ctx: RuleContext) -> Iterator[Finding]:
    """Looks in the subject, the visible HTML text, every attribute (URLs, alt text) and the text part."""
    doc = ctx.document
    attributes = " ".join(str(v) for tag in doc.find_all(True) for v in tag.attrs.values() if isinstance(v, str))
    places = {"subject": ctx.email.subject, "HTML": visible_text(doc), "URL or attribute": attributes, "text part": ctx.email.text}
    own = set(personal_values(ctx.account))
    foreign: dict[str, list[tuple[str, str]]] = {}  # value -> [(account id, kind)]
    for other in ctx.others:
        for value, kind in personal_values(other).items():
            if value not in own:  # shared with the recipient (same household phone, say): not foreign
                foreign.setdefault(value, []).append((other.id, kind))
    if not foreign:
        return
    # One alternation per case instead of one search per value and place: longest first, so a
    # name is reported rather than a shorter value inside it.
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(foreign, key=len, reverse=True))) + r")(?!\w)")
    for place, text in places.items():
        for value in dict.fromkeys(m.group(0) for m in pattern.finditer(text)):
            for other_id, kind in foreign[value]:
                yield ctx.error(
                    f"{kind} of another account ({other_id}) appears in the {place}: {value[:60]!r}",
                    element=place,
                    expected=f"only data of {ctx.account.id}",
                )
