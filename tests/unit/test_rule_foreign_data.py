"""``no-foreign-data``: no other fixture's personal data in subject, HTML, attributes/URLs, text."""

from __future__ import annotations

from harness.rules import Finding
from harness.rules.builtin.foreign_data import DEFAULT_FIELDS, personal_values

from .build import check, email, fixture, page

ADA = fixture(
    "en-ada", name="Ada Lovelace", email="ada@example.org", phone="+44 20 7946 0001",
    address={"line1": "12 Rowan Close", "city": "Leeds"},
    orders=[{"id": "NW-100231", "gift_cards": [{"code": "GPLY-7Q2M-XK4P-9RT3"}]}],
)
BEN = fixture(
    "en-ben", name="Ben Carter", email="ben.carter@example.net", phone="+44 20 7946 0018",
    address={"line1": "48 Harbour Road", "city": "Bristol"},
    orders=[{"id": "NW-100266", "gift_cards": [{"code": "MCGC-4410-2286-7719"}]}],
)


def ada_email(body: str = "", *, subject: str = "Your order NW-100231", text: str = "Hello Ada Lovelace, order NW-100231.\n"):
    return email(page(f"<p>Hello Ada Lovelace, order NW-100231.</p>{body}"), subject=subject, text=text)


def foreign(field: str, value: str, place: str, other: str = "en-ben") -> Finding:
    return Finding("no-foreign-data", "error", f"{field} of another fixture ({other}) appears in the {place}: {value!r}", place, "only data of en-ada")


def test_the_recipients_own_data_passes():
    mail = ada_email('<a href="mailto:ada@example.org">ada@example.org</a> 12 Rowan Close, +44 20 7946 0001 GPLY-7Q2M-XK4P-9RT3')
    assert check("no-foreign-data", mail, recipient=ADA, others=[BEN]) == []


def test_another_accounts_email_in_the_html_is_an_error():
    found = check("no-foreign-data", ada_email("<p>cc: ben.carter@example.net</p>"), recipient=ADA, others=[BEN])
    assert found == [foreign("email", "ben.carter@example.net", "HTML")]


def test_the_subject_is_searched():
    found = check("no-foreign-data", ada_email(subject="Your order NW-100266"), recipient=ADA, others=[BEN])
    assert found == [foreign("orders.id", "NW-100266", "subject")]


def test_attributes_and_urls_are_searched():
    mail = ada_email('<a href="https://shop.example.com/track?for=ben.carter@example.net">Track</a><img alt="NW-100266" src="x">')
    found = check("no-foreign-data", mail, recipient=ADA, others=[BEN])
    assert found == [foreign("email", "ben.carter@example.net", "URL or attribute"), foreign("orders.id", "NW-100266", "URL or attribute")]


def test_the_text_part_is_searched():
    mail = ada_email(text="Hello Ada Lovelace. Your parcel goes to 48 Harbour Road.\n")
    assert check("no-foreign-data", mail, recipient=ADA, others=[BEN]) == [foreign("address.line1", "48 Harbour Road", "text part")]


def test_other_accounts_street_addresses_and_gift_card_codes_are_looked_for():
    mail = ada_email("<p>48 Harbour Road</p><p>MCGC-4410-2286-7719</p><p>Ben Carter</p><p>+44 20 7946 0018</p>")
    found = check("no-foreign-data", mail, recipient=ADA, others=[BEN])
    assert {(f.message.split(" of ")[0], f.element) for f in found} == {
        ("address.line1", "HTML"), ("orders.gift_cards.code", "HTML"), ("name", "HTML"), ("phone", "HTML"),
    }


def test_two_accounts_sharing_a_household_value_do_not_flag_it():
    """Same household phone and street: the recipient's own data, even if someone else has it too."""
    household = fixture("en-carl", name="Carl Lovelace", phone="+44 20 7946 0001", address={"line1": "12 Rowan Close"})
    mail = ada_email("<p>12 Rowan Close, +44 20 7946 0001</p>")
    assert check("no-foreign-data", mail, recipient=ADA, others=[household]) == []
    assert [f.message for f in check("no-foreign-data", ada_email("<p>Carl Lovelace</p>"), recipient=ADA, others=[household])] == [
        "name of another fixture (en-carl) appears in the HTML: 'Carl Lovelace'"
    ]


def test_allow_lets_the_recipients_data_show_someone_elses_value():
    """With the shop's ``fields`` the inviter's name is not the recipient's own until allowed.
    (E-mail addresses anywhere in the recipient's data always count as their own.)"""
    invited = fixture("en-ada", name="Ada Lovelace", inviter={"email": "ben.carter@example.net", "name": "Ben Carter"})
    mail = ada_email("<p>Ben Carter (ben.carter@example.net) invited you.</p>")
    shop_fields = {"fields": ["name", "email"]}
    assert check("no-foreign-data", mail, recipient=invited, others=[BEN], allow=["inviter.name"], **shop_fields) == []
    assert check("no-foreign-data", mail, recipient=invited, others=[BEN], **shop_fields) == [foreign("name", "Ben Carter", "HTML")]


def test_allow_takes_list_paths():
    team = fixture("en-ada", name="Ada Lovelace", members=[{"name": "Ben Carter"}])
    mail = ada_email("<p>Ben Carter</p>")
    assert check("no-foreign-data", mail, recipient=team, others=[BEN], fields=["name"], allow=["members[].name"]) == []
    assert check("no-foreign-data", mail, recipient=team, others=[BEN], fields=["name"]) != []


def test_a_value_is_matched_as_a_whole_word_only():
    other = fixture("en-zed", name="Zed", reference_code="1234")
    assert check("no-foreign-data", ada_email("<p>Call 12345 or A1234</p>"), recipient=ADA, others=[other]) == []
    assert check("no-foreign-data", ada_email("<p>Ref 1234.</p>"), recipient=ADA, others=[other]) == [
        foreign("reference_code", "1234", "HTML", "en-zed")
    ]


def test_the_longest_value_is_reported_not_a_shorter_one_inside_it():
    first = fixture("en-ben", name="Ben Carter")
    second = fixture("en-bea", name="Ben Carter-Jones")
    found = check("no-foreign-data", ada_email("<p>Ben Carter-Jones</p>"), recipient=ADA, others=[first, second])
    assert found == [foreign("name", "Ben Carter-Jones", "HTML", "en-bea")]


def test_a_value_two_others_share_names_both_and_is_reported_once_per_place():
    twin = fixture("en-bo", email="ben.carter@example.net")
    found = check("no-foreign-data", ada_email("<p>ben.carter@example.net ben.carter@example.net</p>"), recipient=ADA, others=[BEN, twin])
    assert found == [foreign("email", "ben.carter@example.net", "HTML"), foreign("email", "ben.carter@example.net", "HTML", "en-bo")]


def test_fields_names_what_is_personal():
    other = fixture("en-zed", nickname="Zeddy", name="Zed Zee")
    mail = ada_email("<p>Zeddy and Zed Zee</p>")
    assert [f.message.split(" of ")[0] for f in check("no-foreign-data", mail, recipient=ADA, others=[other], fields=["nickname"])] == ["nickname"]
    assert [f.message.split(" of ")[0] for f in check("no-foreign-data", mail, recipient=ADA, others=[other])] == ["name"]


def test_no_others_means_nothing_to_find():
    assert check("no-foreign-data", ada_email("<p>ben.carter@example.net</p>"), recipient=ADA, others=[]) == []


def test_a_long_value_is_cut_in_the_message():
    other = fixture("en-zed", name="Z" * 100)
    found = check("no-foreign-data", ada_email("<p>" + "Z" * 100 + "</p>"), recipient=ADA, others=[other])
    assert found == [Finding("no-foreign-data", "error", f"name of another fixture (en-zed) appears in the HTML: {'Z' * 60!r}", "HTML", "only data of en-ada")]


# -- personal_values -------------------------------------------------------------------------


def test_personal_values_by_field_and_by_shape():
    data = {"name": "Ben Carter", "id": "en-ben", "bio": "likes tea", "notes": {"contact": "ben@example.net", "landline": "0117 496 0000"},
            "orders": [{"id": "NW-1", "total": 12, "tracking_number": "1Z999"}]}
    assert personal_values(data, DEFAULT_FIELDS) == {
        "Ben Carter": "name", "en-ben": "id", "ben@example.net": "notes.contact", "0117 496 0000": "notes.landline",
        "NW-1": "orders.id", "1Z999": "orders.tracking_number",
    }
    assert personal_values(data, ["bio"], by_shape=False) == {"likes tea": "bio"}


def test_personal_values_skips_short_long_and_non_string_values():
    data = {"a": "abc", "b": " abc ", "c": "abcd", "d": "x" * 256, "e": "y" * 257, "f": 123456, "g": None}
    assert personal_values(data, ["*"]) == {"abcd": "c", "x" * 256: "d"}


def test_personal_values_keeps_the_first_field_of_a_value():
    assert personal_values({"email": "ben@example.net", "backup_email": "ben@example.net"}, ["*email*"]) == {"ben@example.net": "email"}


# -- ordinary words that happen to be another fixture's value ------------------------------------

#: A SaaS model: plans and roles are named with ordinary words, matched by the default fields
#: (``*.name``, ``*.id``) although they identify nobody.
SAAS_ADA = fixture("en-ada", name="Ada Lovelace", first_name="Ada", email="ada@example.org",
                   plan={"name": "Free"}, roles=[{"id": "member"}], workspace={"name": "Engines"})
SAAS_GRACE = fixture("en-grace", name="Grace Hopper", first_name="Grace", email="grace@example.net",
                   plan={"name": "Team"}, roles=[{"id": "admin"}], workspace={"name": "Harbour"})
RESET = ("<p>Hi Ada,</p><p>Someone asked to reset the password of ada@example.org. If it was not you, tell your admin.</p>"
         "<p>Thanks, the Acme Team</p>")


def test_an_ordinary_word_that_is_another_fixtures_plan_or_role_is_not_foreign_data():
    """The password reset shows no plan and no role: "Team" and "admin" there are the template's words."""
    mail = email(page(RESET), subject="Reset your password", text="Hi Ada, tell your admin. Thanks, the Acme Team")
    assert check("no-foreign-data", mail, recipient=SAAS_ADA, others=[SAAS_GRACE]) == []


def test_a_one_word_value_counts_where_the_email_shows_the_recipients_own_value_of_that_field():
    """Here the template prints the plan: Grace's plan name stands where Ada's belongs."""
    mail = email(page("<p>Hi Ada, your Free plan ends soon. Upgrade to Team: ask Grace.</p>"), subject="Your plan", text="x")
    found = check("no-foreign-data", mail, recipient=SAAS_ADA, others=[SAAS_GRACE])
    assert [(f.message.split(" of ")[0], f.message.split(": ")[-1]) for f in found] == [("plan.name", "'Team'"), ("first_name", "'Grace'")]


def test_names_addresses_and_ids_of_others_still_count_wherever_they_are():
    mail = email(page(RESET + "<p>Grace Hopper (grace@example.net) reset it from workspace Harbour.</p>"), subject="s", text="x")
    found = check("no-foreign-data", mail, recipient=SAAS_ADA, others=[SAAS_GRACE])
    assert {f.message.split(" of ")[0] for f in found} == {"name", "email"}


def test_fields_a_team_names_count_even_as_one_word():
    mail = email(page(RESET), subject="s", text="x")
    found = check("no-foreign-data", mail, recipient=SAAS_ADA, others=[SAAS_GRACE], fields=["plan.name"])
    assert [f.message for f in found] == ["plan.name of another fixture (en-grace) appears in the HTML: 'Team'"]


def test_a_one_word_value_in_the_templates_own_copy_is_the_templates():
    """The shop's legal footer (approved copy) says "London"; another customer lives there. The
    order confirmation shows Ada's own city, yet "London" in it is the footer's."""
    ada = fixture("en-ada", name="Ada Lovelace", address={"line1": "12 Rowan Close", "city": "Leeds"})
    grace = fixture("en-grace", name="Grace Hopper", address={"line1": "4 Nile Street", "city": "London"})
    footer = "Northwind Shop Ltd, 1 Example Street, London EC1A 1AA, United Kingdom."
    mail = email(page(f'<p>Ships to 12 Rowan Close, Leeds</p><p data-copy="legal_footer">{footer}</p>'), subject="s", text="x")
    assert check("no-foreign-data", mail, recipient=ada, others=[grace], approved_copy={"legal_footer": footer}) == []
    assert [f.message for f in check("no-foreign-data", mail, recipient=ada, others=[grace])] == [
        "address.city of another fixture (en-grace) appears in the HTML: 'London'"
    ]
