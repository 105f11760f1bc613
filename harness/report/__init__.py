"""What a run leaves behind for people and machines: results.json, JUnit XML, the received and
approved artifacts of every change, and the static HTML report."""

from .html import render_report, write_report
from .merge import merge_reports
from .results import load_results, summarize, write_results

__all__ = ["load_results", "merge_reports", "render_report", "summarize", "write_report", "write_results"]
