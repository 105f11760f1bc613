"""``email-harness review``: a local web app to approve or reject the changes of the last run.

Flask (Pallets, like Jinja2, which the harness already uses) on 127.0.0.1 only. It serves the
report page with approve / reject / undo controls per change group and per case, and the report's
images, and writes snapshots through :class:`~harness.review.session.ReviewSession` only: ids must
be pending cases of the report, files are served from inside the report folder only, and every
POST carries a per-start token. A POST names ``case`` (an id or pattern) or ``group`` (a change
group of the page), and may add ``reason`` and ``confirm_outcome`` (needed to approve a case that
starts being sent). ``/accept-findings`` takes ``case`` and a required ``reason``.

Listening on 127.0.0.1 does not keep other web sites out: a page the designer visits can point its
own name at 127.0.0.1 (DNS rebinding) and then read this page, token included. So every request
must name this server in ``Host`` (``127.0.0.1``, ``localhost`` or ``[::1]`` with our port), and
every POST must also come from a page of this server (``Origin``), carry the token and a well-formed
JSON body. Serve it with :func:`make_review_server`, which answers several connections at once.

The page always shows one run. The server notices when a new run rewrote ``results.json`` (its
digest, :func:`~harness.report.html.results_digest`) and serves the new run from then on,
keeping the decisions that still apply; ``GET /run`` tells an open page, which then offers a
reload. Every POST names the run its page shows (``X-Review-Run``); a decision made on another
run is refused (409) saying which run the page shows and which the report now holds.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from ..errors import HarnessError
from ..safepaths import read_regular
from ..report.html import ASSETS, case_views, render_report, results_digest
from ..report.results import RESULTS, load_results
from ..snapshots import SnapshotStore
from .changes import ChangeGroup, group_changes
from .decisions import DECISIONS, decisions_document
from .session import ReviewSession
from .sources import Sources
from .view import CaseView

__all__ = ["create_app", "make_review_server"]

#: The names under which the designer's browser reaches this server.
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: JSON's names for what ``json.loads`` returns, for error messages.
JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
#: A decision is ``{"case": "..."}``; anything much bigger is not one (413).
MAX_BODY = 64 * 1024
MAX_REASON = 2000


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


def _payload() -> dict[str, Any] | tuple[Response, int]:
    """The decision a POST carries, or the 400 that says what is wrong with it."""
    try:
        payload = json.loads(request.get_data())
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8; RecursionError deep nesting
        return _json_error(400, 'the body is not JSON; expected {"case": "<case id or pattern>"}')
    if not isinstance(payload, dict):
        kind = JSON_TYPES.get(type(payload), "value")
        return _json_error(400, f'the body is a JSON {kind}; expected an object {{"case": "<case id or pattern>"}}')
    target, group = payload.get("case"), payload.get("group")
    if not (isinstance(target, str) and target) and not (target is None and isinstance(group, str) and group):
        return _json_error(400, 'field "case" is missing or not a non-empty string (or give "group": "<change group>")')
    reason = payload.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        return _json_error(400, f'field "reason" must be a string of at most {MAX_REASON} characters')
    if not isinstance(payload.get("confirm_outcome", False), bool):
        return _json_error(400, 'field "confirm_outcome" must be true or false')
    return payload


def _stamp(report: Path) -> tuple[int, int, int] | None:
    """What changes when a run rewrites ``results.json`` (written whole, so a new file): cheap to
    ask on every request; the digest decides."""
    try:
        info = os.stat(report / RESULTS, follow_symlinks=False)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


@dataclass
class ServedRun:
    """One run of the report folder as the server serves it: its document, decisions, change
    groups and views (computed once: the evidence does not change while the run is served)."""

    stamp: tuple[int, int, int] | None
    document: dict[str, Any]
    digest: str
    session: ReviewSession
    groups: list[ChangeGroup]
    views: dict[str, list[CaseView]]
    members: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, report: Path, store: SnapshotStore, who: str | None, sources: Sources) -> ServedRun:
        stamp = _stamp(report)  # first: a run that lands while this loads is noticed next time
        document = load_results(report)  # its message first when there is no results.json
        digest = results_digest(read_regular(report / RESULTS, follow=False))
        groups = group_changes(document, report, sources)
        return cls(stamp, document, digest, ReviewSession(report, document, store, who=who), groups, case_views(groups, sources),
                   {g.key: [c.id for c in g.approvable] for g in groups})


def create_app(report: Path, store: SnapshotStore, *, who: str | None = None,
               catalog: Path | None = None, fixtures: Path | None = None) -> Flask:
    """The review app for a report folder (a local run or a downloaded CI artifact).
    ``catalog`` and ``fixtures`` are optional: with them, changes are grouped by the fixtures'
    values and outcome changes name the template's send guards."""
    report = report.resolve()
    sources = Sources(catalog=catalog, fixtures=fixtures)
    served = [ServedRun.load(report, store, who, sources)]  # a list: replaced when a new run is noticed
    #: Why the newest results.json is not served (unreadable): said by /run and on the page.
    problem: list[str] = []

    def current() -> ServedRun:
        """The run of the report folder now: a new results.json is loaded (its decisions that
        still apply kept, see ReviewSession); one that cannot be read leaves the last run served."""
        run = served[0]
        stamp = _stamp(report)
        if stamp == run.stamp:
            return run
        try:
            fresh = ServedRun.load(report, store, who, sources)
        except HarnessError as exc:
            problem[:] = [f"a new run wrote {RESULTS}, but it cannot be read ({exc}); this page still shows the run before"]
            return run
        problem.clear()
        if fresh.digest == run.digest:  # rewritten with the same content: the same run
            run.stamp = stamp
            return run
        served[0] = fresh
        return fresh

    token = secrets.token_urlsafe(16)
    #: Connections are served in threads; decisions are taken one at a time (the session and the
    #: snapshot store's re-entrant lock are per process, not per thread).
    deciding = threading.Lock()
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
        with deciding:
            return _page()

    def _page() -> str:
        run = current()
        session = run.session
        states = {}
        for case_id in session.approver.pending:
            decision = session.decisions.get(case_id)
            states[case_id] = {"state": session.state(case_id), "reason": decision.reason if decision else "",
                               "carried": case_id in session.carried}
        review = {"token": token, "base": "", "states": states, "notes": [*problem, *session.notes], "accepted": session.accepted}
        return render_report(run.document, review=review, folder=report.name, root=report, sources=sources, groups=run.groups,
                             views=run.views, results=run.digest)

    @app.get("/run")
    def run_status() -> Any:
        """The run the report folder holds now, for an open page to notice a new one."""
        with deciding:
            run = current()
        return jsonify(results=run.digest, problem=" ".join(problem))

    @app.get("/assets/<path:name>")
    def assets(name: str) -> Any:
        return send_from_directory(ASSETS, name)  # send_from_directory refuses paths outside

    @app.get("/<any(received, approved, messages):kind>/<path:name>")
    def artifact(kind: str, name: str) -> Any:
        return send_from_directory(report / kind, name)

    @app.get("/decisions.json")
    def decisions() -> Any:
        """The decisions so far, as a file ``approve --from REPORT --decisions FILE`` applies."""
        with deciding:
            run = current()
            body = decisions_document(sorted(run.session.decisions.values(), key=lambda d: d.case), run.document)
        response = jsonify(body)
        response.headers["Content-Disposition"] = f'attachment; filename="{DECISIONS}"'
        return response

    def _chosen(run: ServedRun, payload: dict[str, Any], action: str) -> list[str]:
        session = run.session
        if isinstance(payload.get("case"), str):
            return session.approver.select([payload["case"]])
        # A change: approve and reject cover its undecided cases, undo its decided ones.
        cases = run.members.get(payload["group"], [])
        decided = {"approved", "rejected"}
        return [c for c in cases if (session.state(c) in decided) == (action == "undo")]

    def _other_run(run: ServedRun) -> tuple[Response, int] | None:
        """The 409 for a decision made on a page of another run than the one the folder holds."""
        shown = request.headers.get("X-Review-Run")
        if shown is None or shown == run.digest:
            return None
        message = (f"this page shows run {shown[:16]}, but {report.name}/{RESULTS} now holds run {run.digest} (a new "
                   "'email-harness run' replaced it): nothing was decided; reload the page to review the new run "
                   "(decisions that still apply are kept)")
        return jsonify(error=message, cases=[], stale_run=run.digest), 409

    def _decide(action: str) -> Any:
        payload = _payload()
        if isinstance(payload, tuple):
            return payload
        with deciding:
            return _decide_now(action, payload)

    def _decide_now(action: str, payload: dict[str, Any]) -> Any:
        run = current()
        if refused := _other_run(run):
            return refused
        session = run.session
        chosen = _chosen(run, payload, action)
        if not chosen:
            what = payload.get("case") or f"change group {payload.get('group')!r}"
            return _json_error(404, f"{what!r} is not a pending change of this report" if payload.get("case")
                               else f"{what}: nothing to {action} (unknown group, or every case is decided)")
        group = payload.get("group") if isinstance(payload.get("group"), str) else ""
        reason = payload.get("reason", "")
        try:
            if action == "reject":
                done = session.reject(chosen, reason=reason, group=group[:40])
                return jsonify(cases=done.cases, rejected=done.cases, errors=done.errors)
            if action == "undo":
                done = session.undo(chosen)
            else:
                done = session.approve(chosen, confirm_outcome=payload.get("confirm_outcome", False), reason=reason, group=group[:40])
        except HarnessError as exc:
            return _json_error(500, str(exc))
        body: dict[str, Any] = {"cases": done.cases, "errors": done.errors}
        if done.errors and not done.cases:
            extra = {"needs_confirmation": done.needs_confirmation} if done.needs_confirmation else {}
            return jsonify(error="; ".join(f"{c}: {m}" for c, m in done.errors.items()), **body, **extra), 409
        return jsonify(body)

    @app.post("/accept-findings")
    def accept_findings() -> Any:
        """Accept the findings of the cases ``case`` (an id or pattern) selects, with a reason."""
        payload = _payload()
        if isinstance(payload, tuple):
            return payload
        reason = payload.get("reason", "").strip()
        if not isinstance(payload.get("case"), str) or not reason:
            return _json_error(400, 'accepting findings needs "case" (an id or pattern) and a "reason": why they are accepted')
        with deciding:
            run = current()
            if refused := _other_run(run):
                return refused
            try:
                done = run.session.accept_findings(payload["case"], reason)
            except HarnessError as exc:
                return _json_error(500, str(exc))
        if not done:
            return _json_error(404, f"{payload['case']!r}: no case of this report with findings to accept")
        errors = {a.case: a.message for a in done if a.status == "refused"}
        body = {"cases": [a.case for a in done if a.status != "refused"], "errors": errors,
                "accepted": {a.case: a.count for a in done if a.status != "refused"}}
        return (jsonify(error="; ".join(f"{c}: {m}" for c, m in errors.items()), **body), 409) if errors and not body["cases"] else jsonify(body)

    app.add_url_rule("/approve", "approve", lambda: _decide("approve"), methods=["POST"])
    app.add_url_rule("/reject", "reject", lambda: _decide("reject"), methods=["POST"])
    app.add_url_rule("/undo", "undo", lambda: _decide("undo"), methods=["POST"])
    return app
