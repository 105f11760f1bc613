"""The designer's side: see what changed as the customer would, grouped into changes, and approve
or reject them: from the report on the command line, in the local review app, or as a decisions
file exported from the static report.

Modules: ``changes`` (kinds and groups), ``textdiff`` (word-level diffs), ``view`` (what the page
shows per case), ``shots`` (screenshot regions), ``apply`` (approval from a report), ``session``
(the review server's decisions, undo), ``decisions`` (the decisions file), ``outcome`` (cases that
start being sent), ``ci`` (GitHub job summary and annotations), ``app`` (the review server)."""

from .apply import REVIEW_LOG, Applied, ReportApprover, approve_from_report, reviewer
from .changes import KINDS, ChangeGroup, group_changes
from .decisions import apply_decisions

__all__ = ["KINDS", "REVIEW_LOG", "Applied", "ChangeGroup", "ReportApprover", "apply_decisions", "approve_from_report",
           "group_changes", "reviewer"]
