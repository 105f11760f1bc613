"""Leftovers of the earlier hostile set (issue 24, item 7): linear time on 1 MB of template or
fixture text, and a named error, never a traceback, for an empty shard, an unusable report
folder, a folder where a file belongs, Ctrl+C while starting, an absurd decimal and a broken or
linked gettext catalog."""

from __future__ import annotations

import gettext
import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from harness.catalog.templates import load_catalog
from harness.errors import ConfigError, FixtureError
from harness.fixtures import load_fixture, placeholders
from harness.render.translations import TranslationSet
from harness.rules.builtin import client_support, foreign_data, leftovers, links, notices
from shop.models import Account

MB = 1_000_000
# The module, not the registry of the same name that harness.render exports.
mjml_engines = importlib.import_module("harness.render.mjml_engines")
ci, changes = (importlib.import_module(f"harness.review.{name}") for name in ("ci", "changes"))
accepted = importlib.import_module("harness.snapshots.accepted")
css, includes, loops, pseudo = (importlib.import_module(f"harness.render.{name}") for name in ("css", "includes", "loops", "pseudo"))


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test when the block runs longer than ``seconds`` (SIGALRM interrupts a regular
    expression too), instead of hanging the suite."""

    def late(*_: object) -> None:
        raise AssertionError(f"took longer than {seconds} s on 1 MB: not linear")

    previous = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- linear time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "subject"),
    [
        ("<html><head><title>" + "<title>" * (MB // 7) + "</head></html>", ""),  # minutes before
        ("<title>" * (MB // 7) + "<title>Your order</title>", "<title>" * (MB // 7) + "Your order"),
        ("<mjml><mj-head><mj-title> Order shipped </mj-title></mj-head></mjml>", "Order shipped"),
        ("<html><body>no title</body></html>", ""),
    ],
)
def test_a_plain_templates_title_is_found_in_linear_time(tmp_path, tally, source, subject):
    """The subject of a template without metadata is its title: 'email-harness list' took
    minutes on 400 KB of unclosed <title> tags (a lazy pattern retried at each one)."""
    tally.input()
    (tmp_path / "plain.html").write_text(source, encoding="utf-8")
    with within(2):
        catalog = load_catalog(tmp_path)
    assert catalog.templates["plain"].meta.subject == subject


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (leftovers.MERGE_TAGS["handlebars"], "{{" + " " * MB + "}"),
        (foreign_data._EMAIL, "a" * MB),
        (notices._CONTACT, "a" * MB),
        (client_support._TAG, "<a" * (MB // 2)),
        (client_support._TAG, "<" + "a" * MB),
        (client_support._MJ_STYLE, "<mj-style" * (MB // 9)),
        (client_support._MJ_STYLE, "<mj-style>" * (MB // 10)),
        (links._SOURCE_TAG, "<img " * (MB // 5)),
        (mjml_engines._TAG, "<a" * (MB // 2)),
        (mjml_engines._TAG, "<" + "a" * MB),
        (mjml_engines._ALT_TAG, "<mj-image " * (MB // 10)),
        (mjml_engines._ALT_TAG, "<mj-image" + " " * MB),
        (mjml_engines._DEFAULT_TAG, "<mj-all " * (MB // 8)),
        (mjml_engines._INLINE_STYLE, '<mj-style inline="inline">' * (MB // 26)),
        (mjml_engines._MJ_ATTRIBUTES, "<mj-attributes>" * (MB // 15)),
        (css._MARKED, "<style data-inline>" * (MB // 19)),
        (css._MARKED, "<style " + "data-inline " * (MB // 12)),
        (includes._INCLUDE, "<mj-include " * (MB // 12)),
        (includes._ATTR, "x" * MB),
        (loops._FOR_TAG, "{% for " * (MB // 7)),
        (pseudo._PLACEHOLDER, "[[" * (MB // 2)),
        (pseudo._PLACEHOLDER, "{{" * (MB // 2)),
        (pseudo._PLACEHOLDER, "%(" * (MB // 2)),
        (placeholders._EMAIL, "a" * MB),
        (ci._WHERE, "a" * MB),
        (changes._FOLDERS, "-" * MB),
        (changes._IMG, "<img " * (MB // 5)),
        (accepted._FOLDERS, "-" * MB),
    ],
    ids=["handlebars-spaces", "email-word", "contact-word", "tags-unclosed", "tag-long-name", "mj-style-no-bracket", "mj-style-unclosed",
         "img-unclosed", "mjml-tags-unclosed", "mjml-tag-long-name", "alt-tags-unclosed", "alt-tag-spaces", "default-tags-unclosed",
         "inline-style-unclosed", "mj-attributes-unclosed", "marked-style-unclosed", "marked-style-long-tag", "include-unclosed",
         "include-attribute-word", "for-tag-unclosed", "pseudo-brackets", "pseudo-braces", "pseudo-printf", "mask-email-word",
         "ci-where-word", "changes-folders-dashes", "changes-img-unclosed", "accepted-folders-dashes"],
)
def test_rule_patterns_take_linear_time_on_1_mb(tally, pattern, text):
    tally.input()
    with within(2):
        pattern.findall(text)


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (leftovers.MERGE_TAGS["handlebars"], "Hi {{ FirstName }} and {{# each items }}", ["{{ FirstName }}", "{{# each items }}"]),
        (foreign_data._EMAIL, "write to pat.smith@example.com today", ["pat.smith@example.com"]),
        (notices._CONTACT, "call +44 20 7946 0958 or dpo@shop.example", ["+44 20 7946 0958 ", "dpo@shop.example"]),
        (client_support._TAG, '<td style="a>b" class=x><img src="y">', ['td', 'img']),
        (links._SOURCE_TAG, '<p>x</p><IMG alt="a > b" src="/i.png">', ["IMG"]),
        (mjml_engines._ALT_TAG, '<mj-image src="a.png"  /><mj-image>', ["mj-image", "mj-image"]),
        (mjml_engines._TAG, '<mj-section><br/></mj-section>', ["mj-section", "br", "mj-section"]),
        (css._MARKED, '<style data-inline>p{}</style><style>q{}</style>', ["p{}"]),
        (includes._ATTR, 'path="./header.mjml" type="html"', ["path", "type"]),
        (loops._FOR_TAG, "{% for x in items %}{{ x }}{%- endfor %}", ["{% for x in items %}"]),
        (pseudo._PLACEHOLDER, "Hi {{ name }}, *|FNAME|* [[x]] %(n)s {% if a %}", ["{{ name }}", "*|FNAME|*", "[[x]]", "%(n)s", "{% if a %}"]),
        (placeholders._EMAIL, "mail pat.s+x@mail.example.com now", ["pat.s+x@mail.example.com"]),
        (ci._WHERE, "error: templates/welcome.mjml:12: bad 'fixtures/en-x.yaml'", ["templates/welcome.mjml:12", "fixtures/en-x.yaml"]),
        (accepted._FOLDERS, "in /tmp/p/templates/a.mjml and x-/b/c.txt", ["/tmp/p/templates/", "x-/b/"]),
    ],
)
def test_the_linear_patterns_still_find_what_they_found(pattern, text, found):
    named = {client_support._TAG: 1, links._SOURCE_TAG: 1, mjml_engines._ALT_TAG: 1, mjml_engines._TAG: 2, css._MARKED: 1, includes._ATTR: 1}
    matches = [m.group(named.get(pattern, 0)) for m in pattern.finditer(text)]
    assert matches == found


sandbox_module = importlib.import_module("harness.render.sandbox")


@pytest.mark.parametrize(
    ("scan", "text"),
    [
        (lambda t: list(client_support._segments(t)), "<!--" * (MB // 4)),  # unclosed comments
        (lambda t: list(client_support._segments(t)), "<!--[if mso]>" * (MB // 13)),  # unclosed conditionals
        (client_support._without_css_comments, "/*" * (MB // 2)),
        (lambda t: includes._inside(t, "mj-body"), "<mj-body" * (MB // 8)),
        (lambda t: includes._inside(t, "mj-body"), "<mj-body>" + "</mj-body" * (MB // 9)),
        (lambda t: list(sandbox_module._percent_specs(t)), "%(" * (MB // 2)),
        (lambda t: list(sandbox_module._percent_specs(t)), "%(a)" * (MB // 4)),
        (lambda t: placeholders.mask(t, {}), "1." * (MB // 2)),
        (lambda t: placeholders.mask(t, {}), "1-.:" * (MB // 4)),
    ],
    ids=["comments-unclosed", "conditionals-unclosed", "css-comments-unclosed", "mj-body-unclosed", "mj-body-closers",
         "percent-keys-unclosed", "percent-keys", "numbers-single-digits", "numbers-separator-runs"],
)
def test_scanners_take_linear_time_on_1_mb(tally, scan, text):
    tally.input()
    with within(2):
        scan(text)


def test_the_scanners_still_read_what_they_read():
    source = "a<!--b-->c<!--[if mso]>M<![endif]-->d<!--[if !mso]><!-->N<!--<![endif]-->e<!-- open"
    assert [(text, reads.__name__) for text, reads in client_support._segments(source)] == [
        ("a", "_everyone"), ("c", "_everyone"), ("M", "_word_outlook"), ("d", "_everyone"),
        ("<!-->N<!--", "_not_word_outlook"), ("e<!-- open", "_everyone")]
    assert client_support._without_css_comments("a/*x*/b/*y") == "ab/*y"
    mjml = "<mjml><mj-head>H</mj-head><mj-body width='1'>B<mj-body-x/></mj-body></mjml>"
    assert (includes._inside(mjml, "mj-body"), includes._inside(mjml, "mj-head")) == ("B<mj-body-x/>", "H")
    assert includes._inside("<mj-body-x>", "mj-body") is None
    assert list(sandbox_module._percent_specs("%(name)-10.3f %*d %% %5s %(a(b)c)08.2f")) == [
        ("10", "3"), ("*", ""), ("", ""), ("5", ""), ("8", "2")]
    assert placeholders.mask("NW-10042 on 2026-11-26 10:00, 12.3, 1.2.345, step 1", {}) == "NW-‹n› on ‹n› ‹n›, 12.3, ‹n›, step 1"


# -- named errors --------------------------------------------------------------------------------


def cli(sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=sandbox.root, capture_output=True, text=True, timeout=300)


def test_a_two_megabyte_email_is_named_not_checked_for_minutes(sandbox, tally):
    """A 1.9 MB mj-raw once held the run for over 90 s in parsing, text and rules."""
    tally.input()
    raw = "<p>row</p>" * 190_000
    sandbox.write("templates/huge.mjml", f"<mjml><mj-body><mj-raw>{raw}</mj-raw></mj-body></mjml>")
    sandbox.write("templates/huge.yaml", "subject: Huge\n")
    started = time.perf_counter()
    done = cli(sandbox, "run", "--no-screenshots", "--only", "huge[en-one-order]")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the rendered HTML has 1,9" in done.stdout and "up to 1,000,000" in done.stdout and "Traceback" not in done.stdout
    assert time.perf_counter() - started < 60


def test_an_empty_shard_is_a_usage_error(sandbox, tally):
    tally.input()
    done = cli(sandbox, "run", "--no-screenshots", "--shard", "")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--shard ''" in done.stdout and "expected I/N" in done.stdout
    assert not (sandbox.root / "report" / "results.json").exists()  # nothing ran


@pytest.mark.parametrize("output", ["/proc/email-harness-report", "pyproject.toml/report"])
def test_an_unusable_report_folder_is_named_before_anything_runs(sandbox, tally, output):
    tally.input()
    started = time.perf_counter()
    done = cli(sandbox, "run", "--no-screenshots", "--output", output)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{output}: cannot be the report folder" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert time.perf_counter() - started < 60  # refused up front, not after rendering every case


def test_a_fixture_that_is_a_folder_is_named(sandbox, tally):
    tally.input()
    (sandbox.root / "fixtures" / "en-folder.yaml").mkdir()
    fixtures = sandbox.engine().fixtures
    assert "en-folder.yaml: is a folder, expected a file" in str(fixtures.errors["en-folder"])


def test_a_snapshot_part_that_is_a_folder_is_an_error_of_its_case(sandbox, tally):
    tally.input()
    part = sandbox.root / "snapshots" / "welcome" / "en-new-account" / "body.html"
    part.unlink()
    part.mkdir()
    result = sandbox.check("welcome[en-new-account]")
    assert result.status == "error" and "body.html: is a folder, expected a file" in result.error
    assert part.is_dir()  # left for the team to look at


def test_ctrl_c_while_loading_plugins_says_so(sandbox, tally):
    tally.input()
    sandbox.write("interrupting.py", "raise KeyboardInterrupt\n")
    sandbox.edit("pyproject.toml", 'plugins = ["shop"]', 'plugins = ["shop", "interrupting"]')
    done = cli(sandbox, "list")
    assert done.returncode == 130 and "interrupted (Ctrl+C)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_price_beyond_decimal_arithmetic_names_file_field_and_value(sandbox, tally):
    tally.input()
    text = (Path(sandbox.root) / "fixtures" / "en-one-order.yaml").read_text(encoding="utf-8")
    assert 'unit_price: "12.50"' in text
    path = sandbox.write("fixtures/en-huge-price.yaml", text.replace('unit_price: "12.50"', 'unit_price: "1E+999999"'))
    with pytest.raises(FixtureError) as raised:
        load_fixture(path, Account)
    message = str(raised.value)
    assert "en-huge-price.yaml: field orders.0.line_items.0.unit_price: 1E+999999" in message
    # A large but exact amount still loads.
    load_fixture(sandbox.write("fixtures/en-rich.yaml", text.replace('unit_price: "12.50"', 'unit_price: "99999999999999999999.99"')), Account)


# -- translations --------------------------------------------------------------------------------

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: {plural}\\n"

msgid "Hello"
msgstr "Hallo"

msgid "one item"
msgid_plural "%(num)d items"
msgstr[0] "ein Ding"
msgstr[1] "%(num)d Dinge"
"""
GOOD = PO.format(plural="nplurals=2; plural=(n != 1);")


def compiled(po: str) -> bytes:
    buffer = BytesIO()
    write_mo(buffer, read_po(BytesIO(po.encode())))
    return buffer.getvalue()


def catalog_folder(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "translations"
    (folder / "de" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "de" / "LC_MESSAGES" / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("messages.po", PO.format(plural="nplurals=200000000; plural=(n != 1);").encode(), "nplurals=200000000"),
        ("messages.mo", compiled(GOOD).replace(b"nplurals=2; plural=(n != 1);", b"nplurals=200000000; plural=(n!=1);"), "nplurals=200000000"),
        ("messages.po", PO.format(plural="nplurals=2; plural=" + "9" * 5000 + ";").replace("nplurals=2", "nplurals=" + "9" * 5000).encode(), "nplurals=99999"),
        ("messages.po", PO.format(plural="nplurals=2; plural=os.system(1);").encode(), "invalid token in plural form: os"),
        ("messages.mo", compiled(GOOD).replace(b"plural=(n != 1);", b"plural=os.system(1);"), "invalid token in plural form: os"),
        ("messages.mo", compiled(GOOD)[:40], "not a gettext catalog"),
        ("messages.mo", compiled(GOOD)[:-10], "not a gettext catalog"),
        ("messages.po", GOOD.encode()[:-25], "cannot read the gettext catalog"),
    ],
    ids=["po-nplurals", "mo-nplurals", "po-nplurals-5000-digits", "po-os-system", "mo-os-system", "mo-truncated-header", "mo-truncated", "po-truncated"],
)
def test_a_hostile_catalog_is_a_config_error_naming_the_file(tmp_path, tally, name, data, expected):
    tally.input()
    folder = catalog_folder(tmp_path, name, data)
    with within(5), pytest.raises(ConfigError) as raised:
        TranslationSet(folder).for_locale("de")
    assert str(raised.value).startswith(f"{folder}/de/LC_MESSAGES/{name}:") and expected in str(raised.value)


@pytest.mark.parametrize("name", ["messages.po", "messages.mo"])
def test_a_catalog_linked_from_outside_is_refused(tmp_path, tally, name):
    tally.input()
    outside = tmp_path / "elsewhere" / name
    outside.parent.mkdir()
    outside.write_bytes(GOOD.encode() if name.endswith(".po") else compiled(GOOD))
    folder = catalog_folder(tmp_path, "README", b"")
    (folder / "de" / "LC_MESSAGES" / name).symlink_to(outside)
    with pytest.raises(ConfigError, match=f"LC_MESSAGES/{name}: resolves outside the translations folder"):
        TranslationSet(folder).for_locale("de")


def test_a_catalog_that_is_a_folder_is_named_not_skipped(tmp_path, tally):
    tally.input()
    folder = catalog_folder(tmp_path, "README", b"")
    (folder / "de" / "LC_MESSAGES" / "messages.po").mkdir()
    with pytest.raises(ConfigError, match="messages.po: is a folder, expected a file"):
        TranslationSet(folder).for_locale("de")


@pytest.mark.parametrize("name", ["messages.po", "messages.mo"])
def test_a_sound_catalog_still_translates(tmp_path, name):
    folder = catalog_folder(tmp_path, name, GOOD.encode() if name.endswith(".po") else compiled(GOOD))
    translations = TranslationSet(folder).for_locale("de")
    assert isinstance(translations, gettext.GNUTranslations)
    assert translations.gettext("Hello") == "Hallo" and translations.ngettext("one item", "%(num)d items", 3) == "%(num)d Dinge"


def test_a_catalog_linked_inside_its_folder_is_refused_too(tmp_path):
    """read_regular(follow=False): a link is never read, even one that stays inside."""
    folder = catalog_folder(tmp_path, "real.po", GOOD.encode())
    os.symlink("real.po", folder / "de" / "LC_MESSAGES" / "messages.po")
    with pytest.raises(ConfigError, match="is a symbolic link"):
        TranslationSet(folder).for_locale("de")
