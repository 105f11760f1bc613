"""Lumen's fixture model: every file in ``fixtures/`` is validated against :class:`Account`
(``fixture_model = "lumen_emails.models:Account"``). Unknown keys are refused: a typo in a
fixture must fail loudly, not render a template without the value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Account", "Invite", "Invoice", "LineItem", "PaymentMethod", "Person", "Plan", "Trial"]

CENT = Decimal("0.01")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Model):
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class PaymentMethod(_Model):
    brand: str = Field(description="card brand as shown to the customer, e.g. Visa")
    last4: str = Field(pattern=r"^\d{4}$", description="the only part of a card number we ever show")


class Plan(_Model):
    name: Literal["Starter", "Team", "Business"]
    seats: int = Field(ge=1)
    interval: Literal["month", "year"] = "month"


class LineItem(_Model):
    # Not "items": a mapping's ``items`` would shadow dict.items in a template.
    description: str
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(ge=0)

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class Invoice(_Model):
    number: str = Field(pattern=r"^LM-\d{4}-\d{4,}$")
    status: Literal["open", "paid", "failed", "void"]
    currency: str = Field(min_length=3, max_length=3)
    issued_at: datetime
    period_start: date
    period_end: date
    line_items: list[LineItem] = Field(min_length=1)
    #: VAT rate applied on top of the line items (0.19 in Germany, 0 where none is charged).
    tax_rate: Decimal = Field(Decimal("0"), ge=0, lt=1)
    paid_at: datetime | None = None
    failure_reason: Literal["card_declined", "insufficient_funds", "expired_card"] | None = None
    #: When the billing system tries the card again after a failed payment.
    next_attempt_at: datetime | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.line_items), Decimal("0"))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal * self.tax_rate).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


class Trial(_Model):
    plan: Literal["Team", "Business"]
    started_at: datetime
    ends_at: datetime
    #: Set when the trial became a paid subscription.
    converted_at: datetime | None = None


class Invite(_Model):
    workspace: str = Field(description="the inviting team's workspace name")
    invited_by: Person
    role: Literal["member", "admin", "guest"] = "member"
    project_count: int = Field(0, ge=0, description="projects shared with the invitee")
    sent_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None


class Account(_Model):
    id: str = Field(description="set from the fixture's file name")
    locale: str = Field(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    #: The account's own workspace (usually the company name); empty for a personal sign-up.
    company: str = ""
    created_at: datetime
    plan: Plan | None = None
    payment_method: PaymentMethod | None = None
    trial: Trial | None = None
    invoices: list[Invoice] = []
    invites: list[Invite] = []

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0] if self.name.strip() else ""
