"""GitHub Actions outputs (``harness/review/ci.py``): annotations on the template file at the line
a message names, one per distinct message, errors first and at most 50; the job summary's table
and approve commands; nothing outside Actions; output fenced by a token no input knows.

``tests/test_ci_logs.py`` runs the same through ``email-harness run`` in a fake Actions job.
"""

from __future__ import annotations

import io

import pytest

from harness.review.ci import MAX_ANNOTATIONS, annotations, job_summary, quoted_output, report_to_github


def finding(message: str, severity: str = "error", rule: str = "links", element: str = "a") -> dict:
    return {"rule": rule, "severity": severity, "message": message, "element": element, "expected": ""}


def case(id: str = "refund[de-refunded]", template: str = "refund", **fields) -> dict:
    return {"id": id, "template": template, "fixture": id.split("[")[1][:-1], "status": "failed", "findings": [], **fields}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "refund.mjml").write_text("<mjml></mjml>\n")
    (tmp_path / "templates" / "refund.yaml").write_text("subject: Refund\nrequires: [refunded_order]\n")
    (tmp_path / "templates" / "refund.txt").write_text("text part\n")
    return tmp_path


def test_a_finding_is_an_annotation_on_the_template_with_rule_element_and_cases(project):
    doc = {"cases": [case(findings=[finding("link scheme 'http' is not allowed")])]}
    assert annotations(doc, catalog=project / "templates", root=project) == [
        "::error file=templates/refund.mjml,title=email-harness [links] (1 case)::"
        "link scheme 'http' is not allowed at a%0Acases: refund[de-refunded]"]


@pytest.mark.parametrize(("severity", "level"), [("error", "error"), ("warning", "warning"), ("note", "notice"), ("", "notice")])
def test_the_severity_picks_the_annotation_level(project, severity, level):
    [command] = annotations({"cases": [case(findings=[finding("m", severity, element="")])]}, root=project)
    assert command.startswith(f"::{level} title=email-harness [links] (1 case)::m%0A")


def test_a_render_error_names_the_file_and_line_it_mentions_inside_the_project(project):
    error = f"{project}/templates/refund.yaml:2: unknown guard"
    [command] = annotations({"cases": [case(error=error, status="error")]}, catalog=project / "templates", root=project)
    assert command == ("::error file=templates/refund.yaml,line=2,title=email-harness%3A could not render (1 case)::"
                       "templates/refund.yaml:2: unknown guard%0Acases: refund[de-refunded]")


def test_a_relative_path_in_a_message_is_found_from_the_project(project):
    [command] = annotations({"cases": [case(error="templates/refund.mjml:9: bad tag")]}, root=project)
    assert command.startswith("::error file=templates/refund.mjml,line=9,title=")


def test_a_file_outside_the_project_or_missing_is_never_named(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    outside.write_text("x")
    for error in (f"{outside}:3: boom", "templates/missing.mjml:3: boom", "../etc/x.yaml:1: boom"):
        [command] = annotations({"cases": [case(error=error)]}, root=project)
        assert command.startswith("::error title=email-harness%3A could not render"), error


def test_without_a_named_file_the_templates_source_is_annotated_not_its_metadata_or_text(project):
    [command] = annotations({"cases": [case(findings=[finding("m")])]}, catalog=project / "templates", root=project)
    assert "file=templates/refund.mjml," in command and "line=" not in command


def test_the_same_message_in_several_cases_is_one_annotation_listing_five_cases(project):
    cases = [case(f"refund[en-{i}]", findings=[finding(f"TODO left in refund[en-{i}]")]) for i in range(7)]
    [command] = annotations({"cases": cases}, root=project)
    assert "(7 cases)::TODO left in  at a%0Acases: refund[en-0], refund[en-1], refund[en-2], refund[en-3], refund[en-4] and 2 more" in command


def test_errors_come_first_then_warnings_then_notices_and_at_most_50(project):
    cases = [case(findings=[finding("a note", "note"), finding("a warning", "warning"), finding("an error")])]
    assert [c.split(" ")[0] for c in annotations({"cases": cases}, root=project)] == ["::error", "::warning", "::notice"]
    many = [case(findings=[finding(f"message {i}") for i in range(MAX_ANNOTATIONS + 5)])]
    assert len(annotations({"cases": many}, root=project)) == MAX_ANNOTATIONS == 50


def test_a_case_that_starts_sending_warns_on_the_requires_line(project):
    changed = case(outcome="sent", changes=[{"filename": "outcome.txt", "status": "changed"}])
    commands = annotations({"cases": [changed]}, catalog=project / "templates", root=project)
    assert commands == ["::warning file=templates/refund.yaml,line=2,title=email-harness%3A starts sending (1 case)::"
                        "refund is now sent to accounts it was not sent to before%0Acases: refund[de-refunded]"]
    stopped = case(outcome="not sent", changes=[{"filename": "outcome.txt", "status": "changed"}])
    assert annotations({"cases": [stopped]}, catalog=project / "templates", root=project) == []
    body = case(outcome="sent", changes=[{"filename": "body.html", "status": "changed"}])
    assert annotations({"cases": [body]}, catalog=project / "templates", root=project) == []


def test_values_that_would_break_a_command_are_encoded(project):
    [command] = annotations({"cases": [case(findings=[finding("50%\r\n::error::x", rule="a:b,c")])]}, root=project)
    assert command == "::error title=email-harness [a%3Ab%2Cc] (1 case)::50%25%0D%0A::error::x at a%0Acases: refund[de-refunded]"


def test_malformed_cases_and_findings_are_skipped(project):
    assert annotations({"cases": ["x", 5, case(findings=["y", None])]}, root=project) == []
    assert annotations({"cases": None}, root=project) == []


# -- report_to_github and quoted_output ----------------------------------------------------------

def test_outside_actions_nothing_is_written_or_printed(project):
    out = io.StringIO()
    report_to_github({"cases": [case(error="boom")]}, project / "report", environ={"GITHUB_STEP_SUMMARY": str(project / "s.md")}, stream=out)
    assert out.getvalue() == "" and not (project / "s.md").exists()


def test_in_actions_the_summary_is_appended_and_annotations_printed(project):
    summary = project / "summary.md"
    summary.write_text("earlier step\n")
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(project)}
    report_to_github({"summary": {"cases": 1}, "cases": [case(error="boom", status="error")]}, project / "email-report", environ=env, stream=out)
    assert summary.read_text().startswith("earlier step\n## email-harness: ")
    assert out.getvalue() == "::error title=email-harness%3A could not render (1 case)::boom%0Acases: refund[de-refunded]\n"


def test_a_summary_that_cannot_be_written_does_not_fail_the_run(project, capsys):
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(project / "no" / "such" / "dir.md")}
    out = io.StringIO()
    report_to_github({"cases": []}, project / "r", environ=env, stream=out, root=project)
    assert "could not write the job summary" in capsys.readouterr().err and out.getvalue() == ""


def test_quoted_output_fences_the_block_with_a_fresh_token_in_actions_only():
    printed: list[str] = []
    with quoted_output(printed.append, environ={"GITHUB_ACTIONS": "true"}):
        printed.append("::error::from a fixture")
    start, inner, end = printed
    token = start.removeprefix("::stop-commands::")
    assert len(token) == 32 and inner == "::error::from a fixture" and end == f"::{token}::"
    again: list[str] = []
    with quoted_output(again.append, environ={"GITHUB_ACTIONS": "true"}):
        pass
    assert again[0] != start
    outside: list[str] = []
    with quoted_output(outside.append, environ={"GITHUB_ACTIONS": "false"}):
        outside.append("x")
    assert outside == ["x"]


def test_the_fence_is_closed_when_the_block_fails():
    printed: list[str] = []
    with pytest.raises(RuntimeError), quoted_output(printed.append, environ={"GITHUB_ACTIONS": "true"}):
        raise RuntimeError
    assert len(printed) == 2 and printed[1] == f"::{printed[0].removeprefix('::stop-commands::')}::"


# -- job_summary --------------------------------------------------------------------------------

def test_the_summary_counts_and_escapes_every_value(tmp_path):
    doc = {"summary": {"cases": 3, "sent": 2, "not_sent": 1, "failed": 0, "error": "<b>1</b>"}, "cases": []}
    lines = job_summary(doc, tmp_path / "report").splitlines()
    assert lines[2] == "3 cases · 2 sent · 1 not sent · 0 failed · \\<b\\>1\\</b\\> errors"
    assert job_summary(doc, tmp_path / "report").endswith("\n")


# -- where an annotation points, and what it lists ----------------------------------------------

def test_a_path_named_without_a_line_is_annotated_on_the_file_alone(project):
    [command] = annotations({"cases": [case(error="templates/refund.mjml: bad tag")]}, root=project)
    assert command.startswith("::error file=templates/refund.mjml,title=")


def test_without_a_source_file_neither_metadata_nor_text_is_annotated(project):
    (project / "templates" / "refund.mjml").unlink()
    (project / "templates" / "refund.yml").write_text("subject: x\n")  # .yaml, .yml and .txt remain
    [command] = annotations({"cases": [case(findings=[finding("m")])]}, catalog=project / "templates", root=project)
    assert command.startswith("::error title=")


def test_a_catalog_outside_the_project_is_named_by_its_path(project, tmp_path_factory):
    catalog = tmp_path_factory.mktemp("catalog")
    (catalog / "refund.mjml").write_text("<mjml></mjml>")
    [command] = annotations({"cases": [case(findings=[finding("m")])]}, catalog=catalog, root=project)
    assert command.startswith(f"::error file={catalog}/refund.mjml,title=")


def test_a_malformed_case_before_a_good_one_is_skipped_not_the_end(project):
    assert len(annotations({"cases": ["x", case(error="boom")]}, root=project)) == 1


@pytest.mark.parametrize(("count", "listed"), [(5, "refund[en-0], refund[en-1], refund[en-2], refund[en-3], refund[en-4]"),
                                               (6, "refund[en-0], refund[en-1], refund[en-2], refund[en-3], refund[en-4] and 1 more")])
def test_five_cases_are_listed_whole_and_a_sixth_is_counted(project, count, listed):
    [command] = annotations({"cases": [case(f"refund[en-{i}]", error="boom") for i in range(count)]}, root=project)
    assert command.endswith(f"%0Acases: {listed}")


def test_starts_sending_without_a_requires_line_or_in_undecodable_metadata_still_warns(project):
    changed = case(outcome="sent", changes=[{"filename": "outcome.txt", "status": "changed"}])
    meta = project / "templates" / "refund.yaml"
    meta.write_text("subject: Refund\n")
    [command] = annotations({"cases": [changed]}, catalog=project / "templates", root=project)
    assert command.startswith("::warning file=templates/refund.yaml,title=email-harness%3A starts sending (1 case)::")
    meta.write_bytes(b"subject: R\xe9fund\nrequires: [refunded_order]\n")  # Latin-1, not UTF-8
    [command] = annotations({"cases": [changed]}, catalog=project / "templates", root=project)
    assert command.startswith("::warning file=templates/refund.yaml,line=2,")


# -- report_to_github: the environment, the workspace, the summary's sources ---------------------

def test_the_process_environment_is_read_when_none_is_given(project, monkeypatch, tmp_path_factory):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # not the workspace: paths are relative to the workspace
    out = io.StringIO()
    report_to_github({"cases": [case(findings=[finding("m")])]}, project / "email-report", catalog=project / "templates", stream=out)
    assert out.getvalue().startswith("::error file=templates/refund.mjml,title=")
    printed: list[str] = []
    with quoted_output(printed.append):
        pass
    assert printed[0].startswith("::stop-commands::")


def test_the_summary_names_the_report_folder_and_groups_by_the_fixtures_values(project):
    """Two refunds that thank their customer by name hold one edit: with the fixtures at hand it
    is one change of two cases, with an approve command for the report folder as named."""
    from tests.unit.test_mut_review import plant

    report = project / "custom-report"
    fixtures = project / "fixtures"
    fixtures.mkdir()
    cases = []
    for fixture, name in (("en-ada", "Ada Lovelace"), ("de-dora", "Dora Maar")):
        (fixtures / f"{fixture}.yaml").write_text(f"name: {name}\n")
        cases.append(plant(report, "refund", fixture, {"body.txt": "Thanks.\n"}, {"body.txt": f"Thanks, {name}.\n"}))
    cases.append(case("refund[en-cy]", status="passed", findings=[finding(f"{project}/templates/refund.mjml:1: odd", severity="warning")]))
    summary = project / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(project)}
    report_to_github({"cases": cases}, report, catalog=project / "templates", fixtures=fixtures, environ=env, stream=io.StringIO())
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## email-harness: 1 change in 2 cases · 1 finding to read in 1 case\n")
    assert "| \\[links\\] warning: templates/refund.mjml:1: odd | rule finding | 1 | refund |" in text  # relative to GITHUB_WORKSPACE
    assert "review it with `email-harness review --report custom-report`" in text
    assert "email-harness approve --from custom-report 'refund[*]'" in text
