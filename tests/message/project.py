"""A small project with messages, made in a temporary folder: the catalog's ``message:``, one
HTML template and two fixtures, text-only, so each message test changes one thing and looks."""

from __future__ import annotations

from pathlib import Path

from harness.cases import Case
from harness.engine import CaseResult, Engine
from harness.project import Project

CATALOG = """\
message:
  from: {name: "Nörthwind Shop", address: orders@shop.example.com}
  reply_to: help@shop.example.com
  to_name: name
  headers:
    X-Entity-Ref-ID: "{{ token('ref') }}"
"""
HTML = """<html lang="{{ locale }}"><head><title>Order</title></head><body><p>Grüße {{ account.name }}, your order NW-1234 is on its way.
<a href="https://shop.example.com/o/1">View</a></p></body></html>
"""
META = 'subject: "Grüße {{ account.name }}: Ihre Bestellung NW-1234"\n'


class MessageProject:
    """``templates/order.html`` + ``order.yaml``, fixtures ``en-ada`` and ``de-jo``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("pyproject.toml", '[tool.email-harness]\ncatalog = "templates"\nfixtures = "fixtures"\nsnapshots = "snapshots"\nscreenshots = false\n')
        self.write("templates/_catalog.yaml", CATALOG)
        self.write("templates/order.html", HTML)
        self.write("templates/order.yaml", META)
        self.write("fixtures/en-ada.yaml", 'name: "Ada Lovelace"\nemail: ada@example.net\nlocale: en\n')
        self.write("fixtures/de-jo.yaml", 'name: "Jürgen Müller"\nemail: jm@example.net\nlocale: de\n')

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def engine(self, **kwargs: object) -> Engine:
        kwargs.setdefault("screenshots", False)
        kwargs.setdefault("smtp", False)
        return Engine(Project.load(self.root), **kwargs)  # type: ignore[arg-type]

    def mime(self, case_id: str = "order[en-ada]") -> bytes:
        with self.engine() as engine:
            message = engine.render(Case.parse(case_id)).mime
        assert message is not None
        return message

    def check(self, case_id: str = "order[en-ada]", **kwargs: object) -> CaseResult:
        with self.engine(**kwargs) as engine:
            return engine.check(Case.parse(case_id))
