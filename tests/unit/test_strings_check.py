"""Per-template ``strings:``: every ``t.KEY`` a template uses exists in each declared locale, found
in the template's Jinja syntax, never in text that only looks like a use."""

from __future__ import annotations

from pathlib import Path

import jinja2

from harness.catalog import load_catalog
from harness.catalog.strings import missing_translations
from harness.render.translations import TranslationSet

PIXEL = '<img src="https://t.example.com/o.gif" width="1" height="1" alt="">'


def problems(tmp_path: Path, body: str, meta: str) -> dict[str, str]:
    """Template name -> what its locales lack, for one plain-HTML template."""
    root = tmp_path / "templates"
    root.mkdir()
    (root / "welcome.html").write_text(f"<html><body>{body}</body></html>")
    (root / "welcome.yaml").write_text(meta)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), extensions=["jinja2.ext.i18n"])
    found = missing_translations(load_catalog(root), env, TranslationSet(None))
    return {name: str(error) for name, error in found.items()}


def test_a_url_holding_t_dot_something_is_not_a_string_key(tmp_path):
    meta = "subject: Welcome\nlocales: [en, de]\nstrings: {en: {heading: Hi}, de: {heading: Hallo}}\n"
    assert problems(tmp_path, f"<h1>{{{{ t.heading }}}}</h1>{PIXEL} see t.example.com", meta) == {}


def test_a_key_a_locale_lacks_is_reported_in_both_spellings(tmp_path):
    meta = "subject: Welcome\nlocales: [en, de]\nstrings: {en: {heading: Hi, intro: I, outro: O}, de: {heading: Hallo}}\n"
    found = problems(tmp_path, f"<h1>{{{{ t.heading }}}}</h1><p>{{{{ t['intro'] }}}} {{{{ t.outro }}}}</p>{PIXEL}", meta)
    assert "locale 'de' lacks string(s) intro, outro under strings:" in found["welcome"]
    assert "'en'" not in found["welcome"]


def test_a_key_used_in_the_subject_counts(tmp_path):
    meta = "subject: '{{ t.subject_line }}'\nlocales: [en]\nstrings: {en: {heading: Hi}}\n"
    assert "locale 'en' lacks string(s) subject_line under strings:" in problems(tmp_path, "{{ t.heading }}", meta)["welcome"]


def test_a_template_shipped_as_is_uses_no_strings(tmp_path):
    meta = "subject: Welcome\nlanguage: none\nstrings: {en: {heading: Hi}}\n"
    assert problems(tmp_path, f"<p>Hello {{{{FirstName}}}}</p>{PIXEL} t.example", meta) == {}
