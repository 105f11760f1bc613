"""What a run leaves behind for people and machines: results.json, JUnit XML, received artifacts."""

from .results import summarize, write_results

__all__ = ["summarize", "write_results"]
