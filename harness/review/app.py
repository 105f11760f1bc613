"""``email-harness review``: a local web app to approve or reject the changes of the last run.

Flask (Pallets, like Jinja2, which the harness already uses) on 127.0.0.1 only. It serves the
report page with approve/reject controls and the report's images, and writes snapshots through
:class:`~harness.review.apply.ReportApprover` only: ids must be pending cases of the report, files
are served from inside the report folder only, and every POST carries a per-start token.

Listening on 127.0.0.1 does not keep other web sites out: a page the designer visits can point its
own name at 127.0.0.1 (DNS rebinding) and then read this page, token included. So every request
must name this server in ``Host`` (``127.0.0.1``, ``localhost`` or ``[::1]`` with our port), and
every POST must also come from a page of this server (``Origin``), carry the token and a well-formed
JSON body. Serve it with :func:`make_review_server`, which answers several connections at once.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from ..report.html import ASSETS, render_report
from ..report.results import load_results
from ..snapshots import SnapshotStore
from .apply import ReportApprover

__all__ = ["create_app", "make_review_server"]

#: The names under which the designer's browser reaches this server.
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: JSON's names for what ``json.loads`` returns, for error messages.
JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
#: A decision is ``{"case": "..."}``; anything much bigger is not one (413).
MAX_BODY = 64 * 1024


def local_hosts(port: str) -> set[str]:
    """``Host`` values that name this server. Browsers leave out the default port 80."""
    hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
    return hosts | set(LOCAL_NAMES) if port == "80" else hosts


def make_review_server(host: str, port: int, app: Flask) -> BaseWSGIServer:
    """A werkzeug server with a thread per connection: an idle keep-alive connection (a browser
    keeps some open) must not block the designer's next request."""
    return make_server(host, port, app, threaded=True)


def _json_error(status: int, message: str) -> tuple[Response, int]:
    """An error the page's script shows (it reads ``error`` from a JSON body)."""
    return jsonify(error=message, cases=[]), status


def create_app(report: Path, store: SnapshotStore, *, who: str | None = None) -> Flask:
    report = report.resolve()
    document = load_results(report)
    approver = ReportApprover(report, document, store)
    rejected: set[str] = set()
    token = secrets.token_urlsafe(16)
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.before_request
    def guard() -> Any:
        """Host; then, for anything but GET/HEAD/OPTIONS, Origin and token. Runs before any view
        (static files, 404s and 405s too), so a foreign page learns nothing and changes nothing."""
        # SERVER_PORT is the port the server is bound to, not something the client says.
        hosts = local_hosts(request.environ.get("SERVER_PORT", ""))
        if request.environ.get("HTTP_HOST", "").lower() not in hosts:
            return Response("unknown Host: this review server answers only to 127.0.0.1 or localhost "
                            "with its port\n", 403, mimetype="text/plain")
        if request.method not in SAFE_METHODS:
            if request.headers.get("Origin", "").lower() not in {f"http://{h}" for h in hosts}:
                return _json_error(403, "missing or foreign Origin: decisions come from the review page only")
            sent = request.headers.get("X-Review-Token", "").encode()  # bytes: any header compares
            if not secrets.compare_digest(sent, token.encode()):
                return _json_error(403, "missing or wrong review token: reload the review page")
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        """Short plain errors, never an HTML debug page or a traceback."""
        return Response(f"{error.code} {error.name}\n", error.code or 500, mimetype="text/plain")

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
        try:
            payload = json.loads(request.get_data())
        except (ValueError, RecursionError):  # ValueError covers bad UTF-8; RecursionError deep nesting
            return _json_error(400, 'the body is not JSON; expected {"case": "<case id or pattern>"}')
        if not isinstance(payload, dict):
            kind = JSON_TYPES.get(type(payload), "value")
            return _json_error(400, f'the body is a JSON {kind}; expected an object {{"case": "<case id or pattern>"}}')
        target = payload.get("case")
        if not isinstance(target, str) or not target:
            return _json_error(400, 'field "case" is missing or not a non-empty string')
        chosen = approver.select([target])
        if not chosen:
            return _json_error(404, f"{target!r} is not a pending change of this report")
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
