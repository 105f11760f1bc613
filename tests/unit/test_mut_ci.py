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
