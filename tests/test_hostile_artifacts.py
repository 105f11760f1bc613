"""Hostile artifacts: a report folder (a CI artifact from a fork's pull request), a snapshot folder
from a contributor's branch, YAML and template output built to exhaust the machine.

Each test plants one attack and checks that nothing outside ``snapshots/`` (or the report folder)
is created, changed or removed, that the user gets a message rather than a traceback, and that a
well-formed input still works.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cases import Case
from harness.cli import app
from harness.errors import CatalogError, FixtureError, HarnessError, SnapshotError
from harness.render.jinja import new_environment, render_jinja
from harness.snapshots import SnapshotStore, sha256

runner = CliRunner()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (links not followed) with its content: a before/after picture.
    The store's lock file is left out: taking the lock creates it, and it holds no snapshot."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink() and p.name != ".lock"
    }


def crafted_report(root: Path, template: str, fixture: str, part: str = "body.txt", case_id: str | None = None) -> Path:
    """A report folder whose results.json offers one pending case with the given names."""
    report = root / "artifact"
    data = b"planted\n"
    folder = report / "received" / "x" / "y"
    folder.mkdir(parents=True)
    (folder / "body.txt").write_bytes(data)
    case = {
        "id": case_id or f"{template}[{fixture}]", "template": template, "fixture": fixture, "status": "new",
        "outcome": "sent", "received": {part: sha256(data)}, "manifest": {"case": "x"}, "approved_manifest": None,
    }
    (report / "results.json").write_text(json.dumps({"format": 1, "cases": [case]}))
    return report


@pytest.mark.parametrize(
    ("template", "fixture", "part", "case_id"),
    [
        ("..", "templates", "body.txt", None),  # the reported escape: writes into templates/
        ("../outside", "x", "body.txt", None),
        ("refund", "/tmp/evil", "body.txt", None),
        ("refund", "de-refunded", "../../../templates/refund.mjml", None),
        ("refund", "de-refunded", "/etc/evil", None),
        ("refund", "de-refunded", "body.txt", "refund[de-other]"),  # id and names disagree
    ],
    ids=["template-dotdot", "template-path", "fixture-absolute", "part-dotdot", "part-absolute", "id-mismatch"],
)
def test_approve_from_a_crafted_report_never_writes_outside_snapshots(sandbox, tally, monkeypatch, template, fixture, part, case_id):
    tally.input()
    report = crafted_report(sandbox.root, template, fixture, part, case_id)
    before = tree(sandbox.root / "templates"), tree(sandbox.root / "snapshots")
    monkeypatch.chdir(sandbox.root)
    result = runner.invoke(app, ["approve", "--from", str(report), "*"])
    assert result.exit_code == 1 and "refused:" in result.output and "Traceback" not in result.output, result.output
    assert (tree(sandbox.root / "templates"), tree(sandbox.root / "snapshots")) == before
    assert not (sandbox.root.parent / "outside").exists() and not Path("/tmp/evil").exists()


@pytest.mark.parametrize(
    "document",
    ['{"cases": "nope"}', "[1, 2]", "not json", '{"cases": [{"id": 1}]}', "[" * 100_000 + "]" * 100_000],
    ids=["cases-not-a-list", "not-an-object", "not-json", "id-not-a-string", "deeply-nested"],
)
def test_a_malformed_results_file_gets_a_message(sandbox, tally, monkeypatch, document):
    tally.input()
    (sandbox.root / "artifact").mkdir()
    (sandbox.root / "artifact/results.json").write_text(document)
    monkeypatch.chdir(sandbox.root)
    result = runner.invoke(app, ["approve", "--from", "artifact", "*"])
    assert result.exit_code == 2 and (result.exception is None or isinstance(result.exception, SystemExit)), result.output
    assert "error:" in result.output and "Traceback" not in result.output


def test_report_merge_copies_no_symlinked_file_and_refuses_to_merge_into_a_shard(sandbox, tally, tmp_path, monkeypatch):
    tally.input(2)
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    monkeypatch.chdir(sandbox.root)
    assert runner.invoke(app, ["run", "--no-screenshots", "--shard", "1/1", "--output", "shard1"]).exit_code == 0
    planted = sandbox.root / "shard1/received/refund/de-refunded"
    planted.mkdir(parents=True)
    (planted / "body.txt").symlink_to(secret)
    (sandbox.root / "shard1/received/linked").symlink_to(tmp_path)
    merged = runner.invoke(app, ["report", "merge", "shard1", "--output", "merged"])
    assert merged.exit_code == 0, merged.output
    copied = [p for p in (sandbox.root / "merged").rglob("*") if p.is_file()]
    assert not any(p.read_bytes() == b"private key" for p in copied)
    into_itself = runner.invoke(app, ["report", "merge", "shard1", "--output", "shard1/sub"])
    assert into_itself.exit_code == 2 and "overlaps the shard report" in into_itself.output


def test_a_pending_commit_naming_a_path_outside_is_refused(sandbox, tally, tmp_path):
    tally.input()
    folder = sandbox.root / "snapshots/refund/de-refunded"
    outside = tmp_path / "pwned.txt"
    (folder / ".body.txt.new").write_text("x")
    (folder / ".pending.json").write_text(json.dumps({"parts": {str(outside): sha256(b"x")}}))
    with pytest.raises(SnapshotError, match="is not a valid name"):
        SnapshotStore(sandbox.root / "snapshots").read("refund", "de-refunded")
    assert not outside.exists()


@pytest.mark.parametrize(
    "pending",
    ['["parts"]', '{"parts": {"body.txt": 5}}', '{"parts": "x"}', "[" * 100_000 + "]" * 100_000],
    ids=["list", "hash-not-a-string", "parts-not-a-mapping", "deeply-nested"],
)
def test_a_pending_commit_of_the_wrong_shape_is_a_message(sandbox, tally, pending):
    tally.input()
    (sandbox.root / "snapshots/refund/de-refunded/.pending.json").write_text(pending)
    with pytest.raises(SnapshotError, match="cannot be recovered"):
        SnapshotStore(sandbox.root / "snapshots").read("refund", "de-refunded")


def test_a_manifest_naming_parts_outside_the_case_folder_is_an_error(sandbox, tally):
    tally.input()
    manifest = sandbox.root / "snapshots/refund/de-refunded/manifest.json"
    data = json.loads(manifest.read_text())
    data["parts"]["../../../pyproject.toml"] = sha256((sandbox.root / "pyproject.toml").read_bytes())
    manifest.write_text(json.dumps(data))
    result = sandbox.check("refund[de-refunded]")
    assert result.status == "error" and "'../../../pyproject.toml' is not a valid name" in result.error


def test_a_symlinked_case_folder_is_refused_and_nothing_behind_it_is_deleted(sandbox, tally, tmp_path, monkeypatch):
    tally.input()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    folder = sandbox.root / "snapshots/refund/de-refunded"
    for part in folder.iterdir():
        part.unlink()
    folder.rmdir()
    folder.symlink_to(victim)
    monkeypatch.chdir(sandbox.root)
    result = runner.invoke(app, ["approve", "refund[de-refunded]"])
    assert result.exit_code in (1, 2) and "symbolic link" in result.output, result.output
    assert (victim / "keep.txt").read_text() == "precious" and sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


def test_a_lock_file_planted_as_a_symlink_does_not_truncate_its_target(sandbox, tally, tmp_path):
    tally.input()
    target = tmp_path / "important.txt"
    target.write_text("do not truncate")
    (sandbox.root / "snapshots/.lock").unlink(missing_ok=True)
    (sandbox.root / "snapshots/.lock").symlink_to(target)
    with pytest.raises(SnapshotError, match="symbolic link"):
        with SnapshotStore(sandbox.root / "snapshots").lock():
            pass
    assert target.read_text() == "do not truncate"


def test_a_report_folder_with_planted_links_is_cleaned_without_following_them(sandbox, tally, tmp_path, monkeypatch):
    tally.input()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (sandbox.root / "report").mkdir()
    (sandbox.root / "report/received").symlink_to(elsewhere)
    sandbox.edit("templates/_copy/en.yaml", "Help centre", "Help center")
    monkeypatch.chdir(sandbox.root)
    runner.invoke(app, ["run", "--no-screenshots"])
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (sandbox.root / "report/received").is_dir() and not (sandbox.root / "report/received").is_symlink()


# -- YAML and files --------------------------------------------------------------------------------

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


def test_a_billion_laughs_fixture_is_refused_in_under_a_second(sandbox, tally):
    tally.input()
    sandbox.write("fixtures/en-bomb.yaml", "locale: en\nname: Pat\n" + BILLION_LAUGHS)
    started = time.monotonic()
    errors = sandbox.engine().fixtures.errors
    assert time.monotonic() - started < 5  # the whole engine start; the refusal itself is instant
    assert "en-bomb.yaml: more than 200,000 values once its aliases are expanded" in str(errors["en-bomb"])


def test_a_billion_laughs_in_approved_copy_is_one_clear_error(sandbox, tally):
    tally.input()
    sandbox.write("templates/_copy/en.yaml", (sandbox.root / "templates/_copy/en.yaml").read_text() + BILLION_LAUGHS)
    started = time.monotonic()
    result = sandbox.check("welcome[en-new-account]")
    assert time.monotonic() - started < 5
    assert result.status == "error" and "an alias bomb?" in result.error


def test_a_second_rules_key_in_the_catalog_is_an_error_not_a_silent_replacement(sandbox, tally):
    tally.input()
    catalog = sandbox.root / "templates/_catalog.yaml"
    catalog.write_text(catalog.read_text() + "\nrules:\n  size: {}\n")
    with pytest.raises(CatalogError, match=r"_catalog.yaml:\d+: invalid YAML: duplicate key 'rules' \(first at line \d+\)"):
        sandbox.engine()


def test_a_duplicate_key_in_a_fixture_names_file_line_and_key(sandbox, tally):
    tally.input()
    sandbox.write("fixtures/en-twice.yaml", "locale: en\nname: Pat\nname: Sam\n")
    assert "en-twice.yaml:3: invalid YAML: duplicate key 'name' (first at line 2)" in str(sandbox.engine().fixtures.errors["en-twice"])


def test_a_fifo_named_like_a_fixture_does_not_block_the_run(sandbox, tally):
    tally.input()
    os.mkfifo(sandbox.root / "fixtures/en-pipe.yaml")
    started = time.monotonic()
    error = sandbox.engine().fixtures.errors["en-pipe"]
    assert time.monotonic() - started < 5 and "not a regular file" in str(error)


def test_a_locale_that_is_a_path_is_refused(sandbox, tally):
    tally.input()
    sandbox.edit("templates/refund.yaml", "locales: [en, it, de, ar]", "locales: ['../../../outside/secret']")
    assert "not locale codes: ['../../../outside/secret']" in str(sandbox.engine().catalog.errors["refund"])


# -- output bombs inside the sandbox ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ '%100000000000d' % 1 }}", "a %-format width 100,000,000,000 is too large"),
        ("{{ 'x' | center(10**11) }}", "a center width 100,000,000,000 is too large"),
        ("{{ '{:>99999999999}'.format(1) }}", "a format width 99,999,999,999 is too large"),
        ("{{ 'x'.ljust(10**11) }}", "a ljust width 100,000,000,000 is too large"),
        ("{{ '%99999999999d' | format(1) }}", "a %-format width 99,999,999,999 is too large"),
        ("{{ ('x' * 1000000) | replace('x', 'yyyyyyyyyy') }}", "the result of replace, in characters, 10,000,000 is too large"),
        ("{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}", "more than 2,000,000 characters; the limit is 2,000,000"),
    ],
    ids=["percent", "center", "str-format", "ljust", "format-filter", "replace", "loop"],
)
def test_output_bombs_are_refused_before_they_fill_memory(tally, tmp_path, source, expected):
    tally.input()
    started = time.monotonic()
    with pytest.raises(HarnessError, match=expected.replace("(", r"\(")):
        render_jinja(new_environment(tmp_path), source=source, context={}, where="bomb")
    assert time.monotonic() - started < 5


def test_ordinary_formatting_still_works(tmp_path):
    out = render_jinja(new_environment(tmp_path), where="ok", context={},
                       source="{{ '%5.2f' % 3.14159 }}|{{ 'ab' | center(6) }}|{{ '{:>4}'.format(7) }}|{{ 'a-b' | replace('-', '--') }}")
    assert out == " 3.14|  ab  |   7|a--b"


def test_every_hostile_case_leaves_fixtures_a_message_never_a_crash(sandbox):
    """The loader keeps broken files as errors of their cases: the good fixtures still load."""
    sandbox.write("fixtures/en-bomb.yaml", "locale: en\n" + BILLION_LAUGHS)
    engine = sandbox.engine()
    assert "en-one-order" in engine.fixtures.fixtures and isinstance(engine.fixtures.errors["en-bomb"], FixtureError)


# -- native crashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nesting",
    [("<mj-wrapper>", "</mj-wrapper>", 2500), ("<div>", "</div>", 12000)],
    ids=["mj-wrapper", "div"],
)
def test_deep_nesting_is_refused_before_the_mjml_engine_could_crash(sandbox, tally, nesting):
    """MRML dies with SIGSEGV on these (measured: ~1,900 wrappers, ~10,000 divs): the case must
    be an error with a message, and the run must go on."""
    tally.input()
    open_tag, close_tag, n = nesting
    body = open_tag * n + "<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>" + close_tag * n
    if open_tag == "<div>":
        body = "<mj-section><mj-column><mj-text>" + open_tag * n + "x" + close_tag * n + "</mj-text></mj-column></mj-section>"
    sandbox.write("templates/deep.mjml", f"<mjml><mj-head><mj-title>Deep</mj-title></mj-head><mj-body>{body}</mj-body></mjml>")
    result = sandbox.check("deep[en-one-order]")
    assert result.status == "error" and "nested more than 500 levels deep" in result.error
    assert sandbox.check("welcome[en-new-account]").status == "passed"


def test_an_oversized_fixture_file_is_refused_and_a_long_value_stays_fast(sandbox, tally):
    tally.input(2)
    sandbox.write("fixtures/en-huge.yaml", "locale: en\nname: " + "A" * 6_000_000 + "\n")
    assert "the limit is 5,000,000" in str(sandbox.engine().fixtures.errors["en-huge"])
    one_order = (sandbox.root / "fixtures/en-one-order.yaml").read_text()
    sandbox.write("fixtures/en-long-note.yaml", one_order.replace("name: ", "name: Long " + "B" * 2_000_000 + " ", 1).replace("@", "+long@", 1))
    engine = sandbox.engine()
    started = time.monotonic()
    result = engine.check(Case.parse("welcome[en-new-account]"))  # every other fixture is searched for
    assert time.monotonic() - started < 2, "no-foreign-data must not search for megabyte-long values"
    assert not [f for f in result.findings if f.rule == "no-foreign-data"]
