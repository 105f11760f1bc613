"""Files as editors save them: Windows line endings (CRLF), old Mac ones (lone CR) and a UTF-8 byte
order mark are normalized where files are decoded, before any engine sees them.

MRML rejects a CRLF inside a tag before its ``>`` ("unexpected token in root template"); four
files of the official MJML gallery (mjmlio/email-templates: racoon, reactivation-email,
ticketshop, worldly) are written that way. ``GALLERY_MJML`` is a small faithful copy of their
style: ``<mj-class>`` and ``<mj-style inline>`` in ``<mj-head>`` and an ``<mj-navbar>`` with
attributes split over lines, the closing ``>`` on a line of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mjml
import pytest
from typer.testing import CliRunner

from harness._files import normalized, read_text
from harness.catalog import load_catalog
from harness.cli import app
from harness.errors import CatalogError

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / ".cache/mjml-js/node_modules"

GALLERY_MJML = """\
<mjml lang="en">
  <mj-head>
    <mj-title>We miss you</mj-title>
    <mj-attributes>
      <mj-all padding="0px"></mj-all>
      <mj-class
        name="preheader"
        color="#000000"
        font-size="11px"
        padding="0px"
      ></mj-class>
    </mj-attributes>
    <mj-style inline="inline"
      >a { text-decoration: none; color: inherit; }</mj-style
    >
  </mj-head>
  <mj-body background-color="#e0f2ff">
    <mj-section>
      <mj-column>
        <mj-navbar
          base-url="https://mjml.io"
          hamburger="hamburger"
          ico-color="#fa8739"
        >
          <mj-navbar-link href="/home" color="#000000"
            >home</mj-navbar-link
          >
          <mj-navbar-link href="/blog" color="#000000"
            >blog</mj-navbar-link
          >
        </mj-navbar>
        <mj-text mj-class="preheader">It has been a while. <a href="https://mjml.io/come-back">Come back to MJML</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""
CAROUSEL_MJML = """\
<mjml lang="en">
  <mj-head><mj-title>New arrivals</mj-title></mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-carousel
          align="center"
        >
          <mj-carousel-image src="https://mjml.io/a.png" alt="A red scarf" />
          <mj-carousel-image src="https://mjml.io/b.png" alt="A blue hat" />
        </mj-carousel>
        <mj-text>Two new things in the shop.</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


# -- the one place files are decoded ----------------------------------------------------------------


@pytest.mark.parametrize("saved", [b"a\r\nb\r\n", b"a\rb\r", b"\xef\xbb\xbfa\nb\n", b"\xef\xbb\xbfa\r\nb\r"])
def test_every_line_ending_and_a_byte_order_mark_read_as_lf(tmp_path, saved):
    path = tmp_path / "t.html"
    path.write_bytes(saved)
    assert read_text(path, CatalogError) == "a\nb\n"
    assert normalized(saved) == b"a\nb\n"


def test_a_file_already_lf_reads_unchanged_and_a_bom_inside_the_text_stays(tmp_path):
    path = tmp_path / "t.html"
    path.write_bytes("<p>caf\u00e9\n\ufeffx</p>\n".encode())
    assert read_text(path, CatalogError) == "<p>caf\u00e9\n\ufeffx</p>\n"  # only a leading mark is the file's


def test_a_file_that_is_not_utf8_still_names_its_line(tmp_path):
    path = tmp_path / "t.html"
    path.write_bytes(b"ok\r\nok\r\ncaf\xe9\r\n")
    with pytest.raises(CatalogError, match=r"t.html:3: not UTF-8"):
        read_text(path, CatalogError)


def test_mrml_rejects_the_gallery_style_as_saved_and_renders_it_normalized():
    """Why the normalization exists (measured on mjml-python 1.4.2)."""
    with pytest.raises(ValueError, match="unexpected token"):
        mjml.mjml2html(crlf(GALLERY_MJML).decode())
    assert "Come back to MJML" in mjml.mjml2html(normalized(crlf(GALLERY_MJML)).decode())


def test_a_crlf_template_has_the_identity_of_its_lf_twin(tmp_path):
    """The manifest's template-files hash: re-saving a file on Windows is not a change."""
    hashes = []
    for name, data in (("lf", GALLERY_MJML.encode()), ("crlf", crlf(GALLERY_MJML)), ("bom", b"\xef\xbb\xbf" + crlf(GALLERY_MJML))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "news.mjml").write_bytes(data)
        (tmp_path / name / "news.yaml").write_bytes(b"subject: News\r\nlanguage: none\r\n" if name != "lf" else b"subject: News\nlanguage: none\n")
        hashes.append(load_catalog(tmp_path / name).templates["news"].files_hash)
    assert hashes[0] == hashes[1] == hashes[2]
    (tmp_path / "lf/news.mjml").write_text(GALLERY_MJML.replace("home", "start"))
    assert load_catalog(tmp_path / "lf").templates["news"].files_hash != hashes[0]  # a real edit still is


# -- a flat MJML folder of CRLF files, configuration only ------------------------------------------


def flat_project(root: Path, *, engine: str = "mrml") -> Path:
    """The README's flat MJML layout: the team's folder of .mjml files, as saved, and settings."""
    (root / "emails").mkdir(parents=True)
    (root / "fixtures").mkdir()
    (root / "emails/reactivation.mjml").write_bytes(crlf(GALLERY_MJML))
    (root / "emails/arrivals.mjml").write_bytes(b"\xef\xbb\xbf" + CAROUSEL_MJML.replace("\n", "\r").encode())
    (root / "emails/_catalog.yaml").write_bytes(b"language: none\r\n")
    (root / "fixtures/en-reader.yaml").write_bytes(b"locale: en\r\n")
    (root / "pyproject.toml").write_text(f'[tool.email-harness]\ncatalog = "emails"\nscreenshots = false\nmjml_engine = "{engine}"\n')
    return root


def run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(root)
    return CliRunner().invoke(app, ["run", *args])


def test_a_flat_folder_of_crlf_mjml_runs_green_with_configuration_only(tmp_path, monkeypatch):
    project = flat_project(tmp_path / "gallery")
    first = run(project, monkeypatch, "--update")
    assert first.exit_code == 0, first.output
    again = run(project, monkeypatch)
    assert again.exit_code == 0 and "2 │" in again.output, again.output
    html = (project / "snapshots/reactivation/en-reader/body.html").read_text()
    assert "Come back to MJML" in html and "blog" in html
    # <mj-style inline> closed by '</mj-style\n    >' is inlined, as JavaScript mjml does.
    assert "text-decoration: none" in html.split("Come back to MJML")[0].rsplit("<a ", 1)[1]
    assert (project / "snapshots/reactivation/en-reader/subject.txt").read_text() == "We miss you\n"


def test_saving_the_folder_with_lf_changes_no_snapshot(tmp_path, monkeypatch):
    project = flat_project(tmp_path / "gallery")
    assert run(project, monkeypatch, "--update").exit_code == 0
    for path in (project / "emails").iterdir():
        path.write_bytes(normalized(path.read_bytes()))
    result = run(project, monkeypatch)
    assert result.exit_code == 0, result.output


needs_node = pytest.mark.skipif(
    not (NODE_MODULES / "mjml").is_dir() or not shutil.which("node"), reason="no Node.js or no JavaScript mjml (make setup installs it)"
)


@needs_node
def test_an_unchanged_rerun_passes_with_mjml_js_navbar_and_carousel_included(tmp_path, monkeypatch):
    """JavaScript mjml names the navbar's checkbox and the carousel's radio group with random ids;
    the engine seeds them per render, so the same email renders the same in every run."""
    project = flat_project(tmp_path / "gallery", engine="mjml-js")
    (project / "node_modules").symlink_to(NODE_MODULES)
    assert run(project, monkeypatch, "--update").exit_code == 0
    approved = (project / "snapshots/arrivals/en-reader/body.html").read_text()
    assert "mj-carousel-radio" in approved  # the ids are there, and they hold still:
    for _ in range(2):
        result = run(project, monkeypatch)
        assert result.exit_code == 0, result.output


def test_shards_checked_out_with_crlf_and_lf_agree_on_the_run(tmp_path, monkeypatch):
    """A Windows checkout (git autocrlf) and a Linux one are the same run for 'report merge'."""
    from harness.engine import Engine
    from harness.project import Project

    digests = []
    for name, convert in (("linux", lambda b: b), ("windows", lambda b: b.replace(b"\n", b"\r\n"))):
        root = flat_project(tmp_path / name)
        for path in [*(root / "emails").iterdir(), *(root / "fixtures").iterdir()]:
            path.write_bytes(convert(normalized(path.read_bytes())))
        with Engine(Project.load(root), screenshots=False) as engine:
            digests.append(engine.run_digest())
    assert digests[0] == digests[1]
