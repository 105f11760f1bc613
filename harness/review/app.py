"""``email-harness review``: a local web app to approve or reject the changes of the last run.

Flask (Pallets, like Jinja2, which the harness already uses) on 127.0.0.1 only. It serves the
report page with approve/reject controls and the report's images, and writes snapshots through
:class:`~harness.review.apply.ReportApprover` only: ids must be pending cases of the report, files
are served from inside the report folder only, and every POST carries a per-start token, so
another web page in the browser cannot approve anything.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, request, send_from_directory

from ..report.html import ASSETS, render_report
from ..report.results import load_results
from ..snapshots import SnapshotStore
from .apply import ReportApprover

__all__ = ["create_app"]


def create_app(report: Path, store: SnapshotStore, *, who: str | None = None) -> Flask:
    report = report.resolve()
    document = load_results(report)
    approver = ReportApprover(report, document, store)
    rejected: set[str] = set()
    token = secrets.token_urlsafe(16)
    app = Flask(__name__, static_folder=None)

    @app.get("/")
    def index() -> str:
        for case in document["cases"]:
            case["review_state"] = "rejected" if case["id"] in rejected else ""
        return render_report(document, review={"token": token, "base": ""})

    @app.get("/assets/<path:name>")
    def assets(name: str) -> Any:
        return send_from_directory(ASSETS, name)  # send_from_directory refuses paths outside

    @app.get("/<any(received, approved):kind>/<path:name>")
    def artifact(kind: str, name: str) -> Any:
        return send_from_directory(report / kind, name)

    def _decide(action: str) -> Any:
        if request.headers.get("X-Review-Token") != token:
            abort(403)
        payload = request.get_json(silent=True) or {}
        target = str(payload.get("case", ""))
        chosen = approver.select([target]) if target else []
        if not chosen:
            return jsonify(error=f"{target!r} is not a pending change of this report", cases=[]), 404
        if action == "reject":
            rejected.update(chosen)
            return jsonify(cases=chosen, rejected=chosen)
        done, errors = [], []
        for case_id in chosen:
            outcome = approver.approve(case_id, who=who)
            (done if outcome.ok else errors).append(outcome)
        body = {"cases": [a.case for a in done], "errors": {a.case: a.message for a in errors}}
        if errors and not done:
            return jsonify(error="; ".join(f"{a.case}: {a.message}" for a in errors), **body), 409
        return jsonify(body)

    app.add_url_rule("/approve", "approve", lambda: _decide("approve"), methods=["POST"])
    app.add_url_rule("/reject", "reject", lambda: _decide("reject"), methods=["POST"])
    return app
