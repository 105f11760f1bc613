"""The designer's side: approve a run's changes from its report, on the command line or in the
local review app."""

from .apply import REVIEW_LOG, Applied, ReportApprover, approve_from_report, reviewer

__all__ = ["REVIEW_LOG", "Applied", "ReportApprover", "approve_from_report", "reviewer"]
