"""MJML engines: the step from MJML to HTML, a plugin point.

An engine is any object with a ``name`` and ``render(mjml) -> html`` that raises
:class:`~harness.errors.MjmlError` on bad input. Register one like the built-ins::

    from harness.render.mjml_engines import mjml_engines

    @mjml_engines.register("my-engine")
    class MyEngine:
        name = "my-engine"
        def __init__(self, project_root: Path | None = None) -> None: ...
        def render(self, mjml: str) -> str: ...
        def close(self) -> None: ...  # optional: called when the run ends

and pick it with ``mjml_engine = "my-engine"`` under ``[tool.email-harness]``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Protocol, runtime_checkable

import mjml as mrml

from ..errors import ConfigError, MjmlError
from ..registry import Registry
from .css import inline_css

__all__ = ["MAX_DEPTH", "MjmlEngine", "MrmlEngine", "NodeMjmlEngine", "check_depth", "mjml_engines", "with_default_alt"]

#: Element nesting an MJML document may have. MRML recurses per level and overflows its stack
#: (the process dies with SIGSEGV, no message) at about 1,900 nested <mj-wrapper> or 10,000
#: nested <div> (measured with mjml-python 1.4.2 on an 8 MB stack); real emails nest under 50.
MAX_DEPTH = 500
# Linear on any text (an mj-raw of 1 MB included): the name is taken whole and an unquoted '<'
# ends a try, so a run of unclosed '<a' is not rescanned to its end from each one.
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?![\w:.-])[^<>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def check_depth(markup: str) -> None:
    """Raise MjmlError when ``markup`` nests deeper than :data:`MAX_DEPTH` (counted on tags,
    which over-counts unclosed ones: safe for this purpose)."""
    depth = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                line = markup.count("\n", 0, match.start()) + 1
                raise MjmlError(f"line {line}: elements nested more than {MAX_DEPTH} levels deep; the MJML engine would crash on it")


@runtime_checkable
class MjmlEngine(Protocol):
    """Built with the project folder (``__init__(self, project_root: Path | None = None)``);
    an optional ``close()`` is called when the run ends."""

    #: The name ``mjml_engine`` selects it by under ``[tool.email-harness]``.
    name: str

    def render(self, mjml: str) -> str:
        """Return the HTML for ``mjml``; raise ``MjmlError`` with a readable message on bad input."""
        ...


mjml_engines: Registry[type[MjmlEngine]] = Registry("MJML engine")

# stops at the next opening: linear. '</mj-style\n  >' is a closing tag too (the official gallery writes it).
_INLINE_STYLE = re.compile(r"<mj-style\s+inline\s*=\s*[\"']inline[\"']\s*>((?:(?!<mj-style\b).)*?)</mj-style\s*>", re.S | re.I)
_POSITION = re.compile(r"position (\d+)|at (\d+)")
_MJ_TAG = re.compile(r"<(mj-[a-z-]+)", re.I)
#: The MJML 4/5 vocabulary. MRML silently drops a tag it does not know; JavaScript mjml says
#: "Element mj-foo doesn't exist". A typo must not make a paragraph vanish from the email.
KNOWN_TAGS = frozenset(
    "mj-head mj-body mj-attributes mj-all mj-class mj-breakpoint mj-font mj-html-attributes "
    "mj-html-attribute mj-selector mj-preview mj-style mj-title mj-accordion mj-accordion-element "
    "mj-accordion-title mj-accordion-text mj-button mj-carousel mj-carousel-image mj-column "
    "mj-divider mj-group mj-hero mj-image mj-navbar mj-navbar-link mj-raw mj-section mj-social "
    "mj-social-element mj-spacer mj-table mj-text mj-wrapper mj-include".split()
)


#: The components whose <img> JavaScript mjml gives ``alt=""`` when the source sets no alt (their
#: default attribute); MRML leaves the attribute out, which screen readers and axe-core treat as
#: an image with no text alternative at all.
ALT_DEFAULT_TAGS = ("mj-image", "mj-social-element", "mj-carousel-image")
# (?<!\s): the closing part starts after the last non-space (where the lazy group would stop
# anyway), so a long run of spaces is not rescanned from each of its positions.
_ALT_TAG = re.compile(r"<(mj-image|mj-social-element|mj-carousel-image)(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)((?<!\s)\s*/?>)", re.I)
_ATTRIBUTE = re.compile(r"([^\s\"'=<>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_MJ_ATTRIBUTES = re.compile(r"<mj-attributes\b(?:(?!<mj-attributes\b).)*?</mj-attributes\s*>", re.S | re.I)
_DEFAULT_TAG = re.compile(r"<(mj-all|mj-image|mj-social-element|mj-carousel-image|mj-class)\b((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>", re.I)


def _attributes(markup: str) -> dict[str, str]:
    """Attribute name (lower case) -> value without quotes, of one tag's attribute markup."""
    return {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTRIBUTE.finditer(markup)}


def with_default_alt(mjml: str) -> str:
    """``mjml`` with ``alt=""`` on every image component that gets no alt from its tag, an
    ``mj-class`` it names or ``<mj-attributes>``: what JavaScript mjml sends for it, so the HTML,
    the rules and axe-core judge the email production sends (MRML leaves the attribute out).

    Only the attribute is added, inside the tag: lines and byte counts before it stay put for
    MRML's error positions up to that tag."""
    kinds: set[str] = set()  # components whose alt <mj-attributes> sets for every instance
    classes: set[str] = set()  # mj-class names that set an alt
    for block in _MJ_ATTRIBUTES.finditer(mjml):
        for default in _DEFAULT_TAG.finditer(block.group(0)):
            name, attributes = default.group(1).lower(), _attributes(default.group(2))
            if "alt" in attributes:
                if name == "mj-class":
                    classes.add(attributes.get("name", ""))
                else:
                    kinds.update(ALT_DEFAULT_TAGS if name == "mj-all" else (name,))

    def add(tag: re.Match[str]) -> str:
        attributes = _attributes(tag.group(2))
        named = set(attributes.get("mj-class", "").split())
        if "alt" in attributes or tag.group(1).lower() in kinds or named & classes:
            return tag.group(0)
        return f'<{tag.group(1)}{tag.group(2)} alt=""{tag.group(3)}'

    out, at = [], 0
    for block in _MJ_ATTRIBUTES.finditer(mjml):  # defaults there are not images of the email
        out += [_ALT_TAG.sub(add, mjml[at : block.start()]), block.group(0)]
        at = block.end()
    return "".join(out) + _ALT_TAG.sub(add, mjml[at:])


@mjml_engines.register("mrml")
class MrmlEngine:
    """mjml-python (MRML, Rust). MRML keeps ``<mj-style inline="inline">`` in a ``<style>`` block,
    so those rules are taken out first and inlined with css-inline, as JavaScript mjml would; and
    it leaves out the ``alt=""`` JavaScript mjml writes on images, so that is added to the source
    (:func:`with_default_alt`)."""

    name = "mrml"

    def __init__(self, project_root: Path | None = None) -> None:
        pass  # MRML needs nothing from the project: includes are resolved before it runs

    def render(self, mjml: str) -> str:
        check_depth(mjml)
        for match in _MJ_TAG.finditer(mjml):
            if match.group(1).lower() not in KNOWN_TAGS:
                line = mjml.count("\n", 0, match.start()) + 1
                raise MjmlError(f"line {line}: unknown MJML tag <{match.group(1)}>; see https://documentation.mjml.io for the tags")
        css = "\n".join(m.group(1) for m in _INLINE_STYLE.finditer(mjml))
        source = with_default_alt(_INLINE_STYLE.sub("", mjml))
        try:
            html = mrml.mjml2html(source, disable_comments=True)
        except ValueError as exc:
            raise MjmlError(_with_line(str(exc), source)) from None
        return inline_css(html, css)


@mjml_engines.register("mjml-js")
class NodeMjmlEngine:
    """The JavaScript ``mjml`` package through Node, for teams whose production sends its output.
    Needs ``node`` and ``npm install mjml`` in the project (``node_modules/mjml``).

    One Node process serves the whole run (a request and an answer per line of JSON): starting
    Node and loading mjml took ~0.4 s, per render, when each render started its own.

    mjml names the checkbox of an ``mj-navbar`` and the radio group of an ``mj-carousel`` with
    ``Math.random()`` hex ids, so the same MJML rendered twice differed and an unchanged re-run
    failed. Node's ``Math.random`` is replaced by a small seeded generator (mulberry32), restarted
    from one seed before each render: the ids depend on the document alone, not on the run or on
    which emails rendered before it."""

    name = "mjml-js"
    _SCRIPT = (
        "let seed=0;Math.random=()=>{seed=(seed+0x6D2B79F5)|0;let t=Math.imul(seed^(seed>>>15),1|seed);"
        "t=(t+Math.imul(t^(t>>>7),61|t))^t;return((t^(t>>>14))>>>0)/4294967296};"
        "const mjml=require('mjml');const rl=require('readline').createInterface({input:process.stdin});"
        "rl.on('line',async line=>{let out;try{const q=JSON.parse(line);seed=0x5EED;"
        "const r=await mjml(q.mjml,{validationLevel:'strict',keepComments:false});out={html:r.html}}"
        "catch(e){out={error:String(e.message||e)}}process.stdout.write(JSON.stringify(out)+'\\n')});"
    )

    def __init__(self, project_root: Path | None = None) -> None:
        self._node = shutil.which("node")
        if not self._node:
            raise ConfigError("mjml_engine 'mjml-js' needs Node.js on PATH")
        self._cwd = project_root or Path.cwd()
        self._process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [self._node, "-e", self._SCRIPT], cwd=self._cwd, text=True, encoding="utf-8",
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        return self._process

    def render(self, mjml: str) -> str:
        check_depth(mjml)
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"mjml": mjml}) + "\n")
            process.stdin.flush()
            answer = process.stdout.readline()
        except (BrokenPipeError, OSError):
            answer = ""
        if not answer:
            stderr = process.stderr.read() if process.stderr and process.poll() is not None else ""
            self.close()
            raise ConfigError(f"node mjml stopped: {stderr.strip()[:500] or 'no answer'} (run 'npm install mjml' in {self._cwd})")
        result = json.loads(answer)
        if "error" in result:
            raise MjmlError(result["error"])
        return str(result["html"])

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None


def _with_line(message: str, source: str) -> str:
    """MRML reports a byte position; turn it into a line number of the rendered MJML."""
    match = _POSITION.search(message)
    if not match:
        return message
    offset = int(match.group(1) or match.group(2))
    line = source.encode()[:offset].count(b"\n") + 1
    return f"{message} (rendered MJML line {line})"
