"""A team's template tree as it is, checked with configuration only: no code, no file moved.

Two layouts public projects use: a Django project's ``templates/emails/`` in subfolders, each
email's subject in a file of its own (``NAME.subject.txt`` as Zulip writes it, ``NAME_subject.txt``
as Wagtail and Django's password reset do) beside the body and its text part, the layout extended
by a name written from ``templates/`` (``{% extends "emails/base.html" %}``); and a Jinja tree
with ``base.html`` layouts and a ``macros/`` folder, metadata in ``NAME.yaml``. Both run green
through the CLI, and a case in a subfolder keeps its path everywhere: ``--only``, ``--shard``,
``report merge``, pytest ``-k``, the report's evidence, ``approve`` and the snapshot folders.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE = """<!DOCTYPE html>
<html lang="{{ locale }}" dir="{{ dir }}">
<head>
  <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% endblock %}</title>
</head>
<body style="margin:0;padding:0;background-color:#f2f4f6;">
  <span style="display:none;visibility:hidden;mso-hide:all;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;">{% block preheader %}{% endblock %}</span>
  <table role="presentation" width="600" cellpadding="0" cellspacing="0" align="center">
    <tr><td style="padding:24px;font-family:Arial,sans-serif;color:#1f2933;">
      {% block content %}{% endblock %}
      <p>Questions? Write to <a href="mailto:support@example.com">support@example.com</a>.</p>
    </td></tr>
  </table>
</body>
</html>
"""

DJANGO = {
    "templates/emails/base.html": BASE,
    "templates/emails/account/welcome.html": """{% extends "emails/base.html" %}
{% block title %}Welcome{% endblock %}
{% block preheader %}Your account is ready: here is how to start.{% endblock %}
{% block content %}<h1>Welcome, {{ account.name }}</h1>
<p>Your account is ready. <a href="https://app.example.com/start">Start here</a>.</p>{% endblock %}
""",
    "templates/emails/account/welcome.subject.txt": "Welcome to Acme, {{ account.name }}\n",
    "templates/emails/account/welcome.txt": "Welcome, {{ account.name }}\n\nYour account is ready. Start here: https://app.example.com/start\n",
    "templates/emails/billing/invoice_paid.html": """{% extends "emails/base.html" %}
{% block title %}Payment received{% endblock %}
{% block preheader %}We received your payment for invoice {{ account.invoice }}.{% endblock %}
{% block content %}<h1>Thanks, {{ account.name }}</h1>
<p>We received your payment for invoice {{ account.invoice }}. <a href="https://app.example.com/invoices/{{ account.invoice }}">View the invoice</a>.</p>{% endblock %}
""",
    "templates/emails/billing/invoice_paid_subject.txt": "Payment received for {{ account.invoice }}\n",
    "templates/emails/billing/invoice_paid.txt": (
        "Thanks, {{ account.name }}\n\nWe received your payment for invoice {{ account.invoice }}: "
        "https://app.example.com/invoices/{{ account.invoice }}\n"
    ),
    # Not emails of this catalog: a page of the site, outside it.
    "templates/pages/home.html": "<h1>Home</h1>\n",
    "fixtures/en-paid.yaml": "locale: en\nname: Ada Lovelace\nemail: ada@example.org\ninvoice: INV-1\n",
    "fixtures/de-paid.yaml": "locale: de\nname: Grete Weiß\nemail: grete@example.org\ninvoice: INV-2\n",
    "pyproject.toml": (
        '[tool.email-harness]\ncatalog = "templates/emails"\nscreenshots = false\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["templates/emails"]\n'
    ),
}

JINJA = {
    "templates/base.html": BASE,
    # A second layout nothing extends yet, and a macro file nothing imports: the glob list says
    # they are not emails.
    "templates/base_marketing.html": BASE.replace("#f2f4f6", "#fff7ed"),
    "templates/macros/buttons.html": (
        '{% macro button(url, label) %}<a href="{{ url }}" style="background-color:#15803d;color:#ffffff;'
        'padding:10px 18px;text-decoration:none;">{{ label }}</a>{% endmacro %}\n'
    ),
    "templates/macros/legal.html": "{% macro imprint() %}<p>Acme GmbH, Berlin</p>{% endmacro %}\n",
    "templates/orders/shipped.html": """{% extends "base.html" %}
{% import "macros/buttons.html" as buttons %}
{% block title %}Your order has shipped{% endblock %}
{% block preheader %}Order {{ account.order }} is on its way.{% endblock %}
{% block content %}<h1>{{ t.heading }}</h1>
<p>Order {{ account.order }} is on its way.</p>
<p>{{ buttons.button("https://shop.example.com/track/" ~ account.order, "Track your parcel") }}</p>{% endblock %}
""",
    "templates/orders/shipped.yaml": 'subject: "Order {{ account.order }} has shipped"\nstrings: {en: {heading: "On its way"}}\n',
    "templates/account/password_changed.html": """{% extends "base.html" %}
{% block title %}Password changed{% endblock %}
{% block preheader %}Your password was changed.{% endblock %}
{% block content %}<h1>{{ t.heading }}</h1>
<p>Your password was changed. Not you? <a href="https://shop.example.com/help">Get help</a>.</p>{% endblock %}
""",
    "templates/account/password_changed.yaml": "subject: Your password was changed\n",
    "templates/_catalog.yaml": (
        "layout:\n  partials: ['base*.html', 'macros/**']\n"
        "locales: [en]\n"
        "strings: {en: {heading: Hello}}\n"
    ),
    "fixtures/en-shopper.yaml": "locale: en\nname: Ada Lovelace\nemail: ada@example.org\norder: A-100\n",
    "pyproject.toml": '[tool.email-harness]\nscreenshots = false\n\n[tool.pytest.ini_options]\ntestpaths = ["templates"]\n',
}


def build(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=root, capture_output=True, text=True, timeout=300)


def case_ids(report: Path) -> list[str]:
    return [c["id"] for c in json.loads((report / "results.json").read_text())["cases"]]


@pytest.fixture
def django(tmp_path: Path) -> Path:
    return build(tmp_path, DJANGO)


@pytest.fixture
def jinja_tree(tmp_path: Path) -> Path:
    return build(tmp_path, JINJA)


def test_a_django_tree_with_subject_files_runs_green_with_configuration_only(django):
    first = cli(django, "run", "--update")
    assert first.returncode == 0, first.stdout + first.stderr
    again = cli(django, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(case_ids(django / "report")) == [
        "account/welcome[de-paid]", "account/welcome[en-paid]", "billing/invoice_paid[de-paid]", "billing/invoice_paid[en-paid]",
    ]
    # A snapshot folder per template path; the subject from NAME.subject.txt and NAME_subject.txt,
    # the text part from NAME.txt, the layout from base.html (not a case of its own).
    case = django / "snapshots/billing/invoice_paid/en-paid"
    assert (case / "subject.txt").read_text().strip() == "Payment received for INV-1"
    assert (case / "body.txt").read_text().startswith("Thanks, Ada Lovelace\n\nWe received your payment")
    assert (django / "snapshots/account/welcome/de-paid/subject.txt").read_text().strip() == "Welcome to Acme, Grete Weiß"
    assert "Questions? Write to" in (django / "snapshots/account/welcome/en-paid/body.html").read_text()
    assert not (django / "snapshots/base").exists()


def test_a_jinja_tree_with_base_layouts_and_macros_runs_green_with_configuration_only(jinja_tree):
    first = cli(jinja_tree, "run", "--update")
    assert first.returncode == 0, first.stdout + first.stderr
    again = cli(jinja_tree, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(case_ids(jinja_tree / "report")) == ["account/password_changed[en-shopper]", "orders/shipped[en-shopper]"]
    shipped = (jinja_tree / "snapshots/orders/shipped/en-shopper/body.html").read_text()
    assert "Track your parcel" in shipped and "On its way" in shipped  # the macro, the template's own string
    changed = (jinja_tree / "snapshots/account/password_changed/en-shopper/body.html").read_text()
    assert "Hello" in changed  # the catalog-wide string
    # Without the glob list, the layout nothing extends and the macro file nothing imports would
    # be cases of their own: the list is what keeps them out.
    (jinja_tree / "templates/_catalog.yaml").write_text("locales: [en]\nstrings: {en: {heading: Hello}}\n")
    listed = cli(jinja_tree, "run", "--no-screenshots")
    assert listed.returncode != 0
    assert {"base_marketing[en-shopper]", "macros/legal[en-shopper]"} <= set(case_ids(jinja_tree / "report"))
    assert "base[en-shopper]" not in case_ids(jinja_tree / "report")  # extended by the emails: found without the list


def test_only_selects_nested_cases_by_path_folder_or_own_name(django):
    assert cli(django, "run", "--update").returncode == 0
    for pattern, expected in [
        ("billing/*", ["billing/invoice_paid[de-paid]", "billing/invoice_paid[en-paid]"]),
        ("billing/invoice_paid[en-*]", ["billing/invoice_paid[en-paid]"]),
        ("invoice_*[de-paid]", ["billing/invoice_paid[de-paid]"]),  # a pattern without '/' matches the own name too
        ("account/welcome[en-paid]", ["account/welcome[en-paid]"]),
    ]:
        result = cli(django, "run", "--only", pattern)
        assert result.returncode == 0, (pattern, result.stdout)
        assert sorted(case_ids(django / "report")) == expected, pattern


def test_shards_of_a_nested_catalog_cover_every_case_once_and_merge(django):
    assert cli(django, "run", "--update").returncode == 0
    for index in (1, 2):
        assert cli(django, "run", "--shard", f"{index}/2", "--output", f"shard-{index}").returncode == 0
    shards = [set(case_ids(django / f"shard-{i}")) for i in (1, 2)]
    assert shards[0] and shards[1] and not shards[0] & shards[1]
    merged = cli(django, "report", "merge", "shard-1", "shard-2", "-o", "merged")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert sorted(case_ids(django / "merged")) == sorted(shards[0] | shards[1]) and len(shards[0] | shards[1]) == 4


def test_pytest_collects_nested_templates_and_k_selects_by_path(django):
    assert cli(django, "run", "--update").returncode == 0
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "billing/invoice_paid and en"],
                         cwd=django, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "1 passed, 3 deselected" in run.stdout
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                               cwd=django, capture_output=True, text=True, timeout=300)
    assert "templates/emails/billing/invoice_paid.html::billing/invoice_paid[en-paid]" in collected.stdout
    assert "base.html" not in collected.stdout and "pages/home" not in collected.stdout


def test_a_nested_change_is_reported_with_its_evidence_and_approved_by_id_or_from_the_report(django):
    assert cli(django, "run", "--update").returncode == 0
    body = django / "templates/emails/billing/invoice_paid.html"
    body.write_text(body.read_text().replace("<h1>Thanks,", "<h1>Thank you,"))
    changed = cli(django, "run")
    assert changed.returncode == 1
    statuses = {c["id"]: c["status"] for c in json.loads((django / "report/results.json").read_text())["cases"]}
    assert statuses["billing/invoice_paid[en-paid]"] == "changed" and statuses["account/welcome[en-paid]"] == "passed"
    evidence = django / "report/received/billing/invoice_paid/en-paid/body.html"
    assert "Thank you, Ada Lovelace" in evidence.read_text()
    assert "billing/invoice_paid[en-paid]" in (django / "report/index.html").read_text()
    approved = cli(django, "approve", "--from", "report", "billing/invoice_paid[en-paid]")
    assert approved.returncode == 0 and "approved: billing/invoice_paid[en-paid]" in approved.stdout, approved.stdout + approved.stderr
    assert "Thank you, Ada" in (django / "snapshots/billing/invoice_paid/en-paid/body.html").read_text()
    assert cli(django, "approve", "billing/invoice_paid[de-paid]").returncode == 0  # re-rendered now, by id
    assert cli(django, "run").returncode == 0


# -- the README's three layouts, run as written --------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def readme_layouts() -> dict[str, dict[str, str]]:
    """Title -> files of each ``###`` layout of the README's "Template layouts" section: every
    fenced block names its file on its first line (``# templates/base.html``)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Template layouts\n")
    section = text[start : text.find("\n## ", start + 1)]
    layouts = {}
    for part in section.split("\n### ")[1:]:
        title, _, body = part.partition("\n")
        files = {}
        for _language, block in FENCE.findall(body):
            first, _, rest = block.partition("\n")
            assert first.startswith("# "), f"README layout {title!r}: a block names no file on its first line:\n{block}"
            files[first[2:].strip()] = rest
        layouts[title] = files
    return layouts


def test_the_readme_shows_three_layouts_and_each_runs_green_as_written(tmp_path):
    layouts = readme_layouts()
    assert list(layouts) == ["A flat folder of MJML", "A Django tree with subject files", "A Jinja tree with macros"]
    expected = {
        "A flat folder of MJML": ["welcome[en-reader]"],
        "A Django tree with subject files": ["account/welcome[en-paid]", "billing/invoice_paid[en-paid]"],
        "A Jinja tree with macros": ["orders/shipped[en-shopper]"],
    }
    for number, (title, files) in enumerate(layouts.items()):
        project = build(tmp_path / str(number), files)
        for args in (("run", "--update", "--no-screenshots"), ("run", "--no-screenshots")):
            result = cli(project, *args)
            assert result.returncode == 0, (title, args, result.stdout[-3000:], result.stderr[-2000:])
        assert sorted(case_ids(project / "report")) == expected[title], title


def test_the_review_server_shows_and_approves_a_nested_case(django):
    from harness.review.app import create_app
    from harness.snapshots.store import SnapshotStore

    assert cli(django, "run", "--update").returncode == 0
    body = django / "templates/emails/billing/invoice_paid.html"
    body.write_text(body.read_text().replace("<h1>Thanks,", "<h1>Thank you,"))
    assert cli(django, "run").returncode == 1
    base = "http://127.0.0.1:8765"
    client = create_app(django / "report", SnapshotStore(django / "snapshots")).test_client()
    page = client.get("/", base_url=base).get_data(as_text=True)
    assert "billing/invoice_paid[en-paid]" in page
    evidence = client.get("/received/billing/invoice_paid/en-paid/body.html", base_url=base)
    assert evidence.status_code == 200 and b"Thank you, Ada" in evidence.data
    token = page.split('data-review-token="')[1].split('"')[0]
    approved = client.post("/approve", data=json.dumps({"case": "billing/invoice_paid[en-paid]"}), base_url=base,
                           headers={"Content-Type": "application/json", "Origin": base, "X-Review-Token": token})
    assert approved.status_code == 200 and approved.get_json()["cases"] == ["billing/invoice_paid[en-paid]"], approved.get_data(as_text=True)
    assert "Thank you, Ada" in (django / "snapshots/billing/invoice_paid/en-paid/body.html").read_text()
