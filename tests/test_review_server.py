"""The review server refuses what another web site could send it: a foreign ``Host`` (DNS
rebinding), a POST without the page's own ``Origin``, a body that is not a decision; and it serves
a second connection while another one idles. Each check is shown refusing and letting through."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from werkzeug.serving import BaseWSGIServer
from werkzeug.test import TestResponse

from harness.cli import app as cli
from harness.review.app import create_app, make_review_server
from harness.snapshots import SnapshotStore

CASE = "refund[de-refunded]"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


class Review:
    """The review app on a report with one pending change, driven by Flask's test client as if
    the server listened on ``PORT``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.app = create_app(root / "report", SnapshotStore(root / "snapshots"))
        self.client = self.app.test_client()
        page = self.client.get("/", base_url=BASE).get_data(as_text=True)
        self.token = page.split('data-review-token="')[1].split('"')[0]
        self.before = self.snapshots()

    def snapshots(self) -> dict[str, bytes]:
        """Every file of the snapshot store but the review log."""
        folder = self.root / "snapshots"
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
                if p.is_file() and p.name != "review-log.jsonl"}

    def log(self) -> list[dict[str, object]]:
        path = self.root / "snapshots/review-log.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def post(self, path: str = "/approve", *, body: bytes | None = None, host: str | None = None,
             origin: str | None = BASE, token: bool = True) -> TestResponse:
        headers = {"Content-Type": "application/json"}
        if host is not None:
            headers["Host"] = host
        if origin is not None:
            headers["Origin"] = origin
        if token:
            headers["X-Review-Token"] = self.token
        data = json.dumps({"case": CASE}).encode() if body is None else body
        return self.client.post(path, data=data, headers=headers, base_url=BASE)

    def assert_nothing_approved(self, *, rejected: bool = False) -> None:
        """No snapshot changed and nothing was logged (but a rejection, when ``rejected``)."""
        assert self.snapshots() == self.before
        assert [entry for entry in self.log() if not (rejected and entry["action"] == "reject")] == []


@pytest.fixture
def review(sandbox, monkeypatch) -> Review:
    monkeypatch.chdir(sandbox.root)
    sandbox.edit("templates/refund.yaml", "bis zu 5 Werktage", "bis zu 7 Werktage")
    result = CliRunner().invoke(cli, ["run", "--no-screenshots", "--only", "refund[*]"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return Review(sandbox.root)


PATHS = ["/", "/assets/report.js", "/received/refund/de-refunded/body.txt", "/no-such-page", "/approve"]
FOREIGN_HOSTS = ["evil.example:8765", f"127.0.0.1:{PORT + 1}", f"localhost:{PORT + 1}", "127.0.0.1", "evil.example",
                 f"127.0.0.1.evil.example:{PORT}", f"evil.example,127.0.0.1:{PORT}", ""]
FOREIGN_ORIGINS = [None, "null", "http://evil.example:8765", f"http://127.0.0.1:{PORT + 1}", f"https://127.0.0.1:{PORT}",
                   f"http://localhost:{PORT}.evil.example", "http://127.0.0.1"]


def test_a_foreign_host_is_refused_on_every_route(review):
    for host in FOREIGN_HOSTS:
        for path in PATHS:
            response = review.client.get(path, headers={"Host": host}, base_url=BASE)
            assert response.status_code == 403, (host, path)
            assert response.mimetype == "text/plain" and "Host" in response.get_data(as_text=True)
        response = review.post(host=host)  # valid token and Origin, but not our Host
        assert response.status_code == 403 and "Host" in response.get_data(as_text=True), host
    review.assert_nothing_approved()


def test_the_local_names_with_the_servers_port_are_served(review):
    for host in (f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}"):
        for path in PATHS[:3]:
            assert review.client.get(path, headers={"Host": host}, base_url=BASE).status_code == 200, (host, path)


def test_a_post_with_the_token_but_without_the_pages_origin_approves_nothing(review):
    for origin in FOREIGN_ORIGINS:
        for path in ("/approve", "/reject"):
            response = review.post(path, origin=origin)
            assert response.status_code == 403, (origin, path)
            assert "Origin" in response.get_json()["error"]
    review.assert_nothing_approved()


def test_a_post_from_the_page_without_the_token_approves_nothing(review):
    response = review.post(token=False)
    assert response.status_code == 403 and "token" in response.get_json()["error"]
    review.assert_nothing_approved()


MALFORMED = [
    (b"", "not JSON"),
    (b"case=refund", "not JSON"),
    (b'{"case": ', "not JSON"),
    (b'{"case": "refund\xff"}', "not JSON"),  # not UTF-8
    (b"[" * 50_000, "not JSON"),  # nested past the recursion limit
    (b'["refund[de-refunded]"]', "JSON array"),
    (b'"refund[de-refunded]"', "JSON string"),
    (b"null", "JSON null"),
    (b"42", "JSON number"),
    (b"{}", '"case"'),
    (b'{"cases": "refund[de-refunded]"}', '"case"'),
    (b'{"case": 42}', '"case"'),
    (b'{"case": null}', '"case"'),
    (b'{"case": ""}', '"case"'),
    (b'{"case": ["refund[de-refunded]"]}', '"case"'),
]


def test_a_malformed_body_gets_400_naming_the_problem(review):
    for body, problem in MALFORMED:
        for path in ("/approve", "/reject"):
            response = review.post(path, body=body)
            assert response.status_code == 400, (body[:40], response.get_data(as_text=True))
            error = response.get_json()["error"]
            assert problem in error and "Traceback" not in error, (body[:40], error)
    review.assert_nothing_approved()


def test_an_oversized_body_is_refused_without_reading_it(review):
    response = review.post(body=b'{"case": "' + b"x" * 100_000 + b'"}')
    assert response.status_code == 413 and "Traceback" not in response.get_data(as_text=True)
    review.assert_nothing_approved()


def test_a_same_origin_post_with_the_token_approves(review):
    response = review.post(origin=f"http://localhost:{PORT}", host=f"localhost:{PORT}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"cases": [CASE], "errors": {}}
    log = [json.loads(line) for line in (review.root / "snapshots/review-log.jsonl").read_text().splitlines()]
    assert [entry["case"] for entry in log] == [CASE]
    assert "bis zu 7 Werktage" in (review.root / "snapshots/refund/de-refunded/body.txt").read_text()


def test_a_same_origin_reject_is_recorded(review):
    response = review.post("/reject")
    assert response.status_code == 200 and response.get_json()["rejected"] == [CASE]
    review.assert_nothing_approved(rejected=True)
    assert [(entry["action"], entry["case"]) for entry in review.log()] == [("reject", CASE)]


def test_on_port_80_the_browser_leaves_the_port_out(review):
    """Browsers send ``Host: localhost`` and ``Origin: http://localhost`` for port 80."""
    client = review.client  # the test client's default: http://localhost/ (port 80)
    assert client.get("/").status_code == 200
    headers = {"Origin": "http://localhost", "X-Review-Token": review.token}
    assert client.post("/approve", json={"case": "no-such[case]"}, headers=headers).status_code == 404
    assert client.post("/approve", json={"case": CASE}, headers={**headers, "Origin": "http://localhost:8080"}).status_code == 403


@pytest.fixture
def server(review) -> Iterator[BaseWSGIServer]:
    server = make_review_server("127.0.0.1", 0, review.app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_an_idle_connection_does_not_block_the_next_request(server, review):
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=2)
    try:
        idle.sendall(b"GET / HTTP/1.1\r\n")  # a request left half-sent, then idle
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200 and b"data-review-token" in response.read()
        connection.request("GET", "/", headers={"Host": "evil.example"})  # same keep-alive connection
        response = connection.getresponse()
        assert response.status == 403 and b"data-review-token" not in response.read()
        origin = f"http://127.0.0.1:{server.port}"  # the real server's own port, as a browser sends it
        headers = {"Origin": origin, "X-Review-Token": review.token, "Content-Type": "application/json"}
        connection.request("POST", "/approve", body=json.dumps({"case": CASE}), headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["cases"] == [CASE]
        connection.close()
    finally:
        idle.close()


def test_the_page_links_each_sent_cases_raw_message_and_serves_it(review):
    """README, 'The whole message': each sent case's .eml is in the report, one click from the
    case, for any mail client; the server serves it like the other evidence, nothing outside."""
    page = review.client.get("/", base_url=BASE).get_data(as_text=True)
    assert 'messages/refund/de-refunded.eml" download>' in page
    response = review.client.get("/messages/refund/de-refunded.eml", base_url=BASE)
    assert response.status_code == 200
    assert b"MIME-Version: 1.0" in response.get_data()
    assert review.client.get("/messages/refund/no-such-fixture.eml", base_url=BASE).status_code == 404
    assert review.client.get("/messages/../pyproject.toml", base_url=BASE).status_code == 404
