"""Text from fixtures, templates and plugins made inert where a CI system reads it: a log line, a
GitHub annotation, the job summary (Markdown), ``junit.xml``.

What each reader would otherwise act on:

- **A CI log.** GitHub's runner splits output on CR and LF and carries out a line that starts
  with ``::name ...::`` once leading white space is trimmed, and the legacy ``##[name]`` anywhere
  in a line (``actions/runner``, ``ActionCommand.TryParseV2`` and ``TryParse``). A value with a
  newline could thus add a secret mask, set an output or stop every later command; an ANSI
  escape could erase or hide lines. :func:`log_line` and :func:`log_text` print such characters
  as visible escapes (``\\n``, ``\\x1b``, ``\\u2028``) and quote a command's first character
  (``\\x3a:error::``, ``#\\x23[``), so the value still reads as what it was.
- **Annotation commands** (:func:`annotation_data`, :func:`annotation_property`): GitHub's
  percent-encoding, after the same visible escapes for the other control characters.
- **The job summary** is Markdown with HTML allowed: :func:`markdown` backslash-escapes every
  character that could start markup, so ``<img src=...>`` and ``[text](url)`` show as written;
  :func:`relative_paths` drops the machine's project folder.
- **JUnit XML** allows only some characters (XML 1.0 ``Char``): :func:`xml_text` escapes the rest.

The escapes are for display only: nothing reads them back.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
from pathlib import Path

__all__ = ["annotation_data", "annotation_property", "log_line", "log_text", "markdown", "relative_paths", "visible", "xml_text"]

#: Characters that break, hide or corrupt a line: C0 controls but tab, DEL, C1 controls (NEL
#: ``\x85``, the 8-bit CSI ``\x9b``), the Unicode line and paragraph separators, and lone
#: surrogates (which cannot even be written as UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: XML 1.0 ``Char`` (https://www.w3.org/TR/xml/#charsets), less DEL and C1 (allowed there, but
#: "discouraged", and as invisible in a CI page as in a log).
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The ASCII characters that open or close inline Markdown (code, emphasis, links and images,
#: strikethrough, math), HTML tags and entities, GitHub mentions and table cells; CommonMark lets
#: any ASCII punctuation be backslash-escaped. ``(``, ``)``, ``!``, ``-``, ``+``, ``#`` and ``.``
#: mean something only after ``]`` or at the start of a line, where a value never is; left
#: as they are, names and sentences stay readable in the Markdown source.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&$@])")
_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Unicode's default-ignorable code points (soft hyphen, zero-width space and joiners, bidi
#: marks, variation selectors, tags). .NET compares strings culture-sensitively by default, and
#: with ICU it skips these: ``:\u200b:error::`` may well start with ``::`` for the runner.
_IGNORABLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                        "\U000e0000-\U000e0fff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` on one line, every breaking character written as an escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape, text)


def _defuse(line: str) -> str:
    """A line the runner carries out no command from: a leading ``::`` (after white space) and
    any ``##[`` get one character escaped, and ignorable characters hiding one are shown."""
    skeleton = _IGNORABLE.sub("", line)
    if "##[" not in skeleton and not skeleton.lstrip().startswith("::"):
        return line  # the common case: nothing that reads as a command, text left as it is
    line = _IGNORABLE.sub(_escape, line).replace("##[", "#\\x23[")
    body = line.lstrip()
    if body.startswith("::"):
        line = line[: len(line) - len(body)] + "\\x3a" + body[1:]
    return line


def log_line(value: object) -> str:
    """A value (fixture data, a template's text, a plugin's message) for one line of a log."""
    return _defuse(visible(str(value)))


def log_text(text: str) -> str:
    """Text of several lines for a log: newlines kept, everything else as in :func:`log_line`."""
    return "\n".join(_defuse(line) for line in _CONTROL_BUT_NEWLINE.sub(_escape, text).split("\n"))


def annotation_data(text: str) -> str:
    """The message of a GitHub annotation command: CR and LF percent-encoded (the annotation
    shows them as line breaks), other breaking characters as visible escapes."""
    text = _CONTROL_BUT_NEWLINE.sub(lambda m: m.group() if m.group() == "\r" else _escape(m), text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: str) -> str:
    """A property value (``file=``, ``title=``) of a GitHub annotation command."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def markdown(text: str) -> str:
    """A value as literal text inside Markdown (a table cell, a sentence): one line, markup
    characters backslash-escaped, so it shows as written and is never HTML, a link or an image."""
    return _MARKUP.sub(r"\\\1", visible(text))


#: An absolute path in a message: ``/`` not after a word, a dot, a colon or a slash (so neither
#: a URL's path nor ``//host``), up to white space, a quote, a bracket or ``:`` (``file:7``).
_ABSOLUTE = re.compile(r"(?<![\w.:/\\~-])/[^\s'\"()<>\[\]{}|,;:/][^\s'\"()<>\[\]{}|,;:]*")


@functools.cache
def _machine_folders() -> tuple[str, ...]:
    """Folders whose paths say something about this machine, whether or not they still exist."""
    folders = {os.path.expanduser("~"), tempfile.gettempdir(), sys.prefix, sys.base_prefix}
    # Each comes normalized, without a trailing slash (expanduser strips it, gettempdir and
    # sys.prefix are absolute paths); the root ("/", one part) would shorten every path.
    return tuple(f + "/" for f in folders if len(Path(f).parts) > 1)


def _shorten(match: re.Match[str]) -> str:
    """A path of this machine as ``…/name``; a path that only looks like one (``/help/centre``
    in an email's copy, a URL path) as written."""
    path = match.group()
    parts = Path(path).parts
    on_machine = path.startswith(_machine_folders()) or (len(parts) > 2 and _is_folder(os.path.join(*parts[:3])))
    # on_machine implies three parts or more: a machine folder has two (the root is left out)
    return "…/" + parts[-1] if on_machine else path


@functools.lru_cache(maxsize=1024)
def _is_folder(path: str) -> bool:  # a message may name thousands of paths under a few folders
    return os.path.isdir(path)


def relative_paths(text: str, root: Path | None) -> str:
    """``text`` with no absolute path of this machine: the project folder's (as given and
    resolved) left out, ``/home/runner/work/shop/templates/refund.mjml`` ->
    ``templates/refund.mjml``; any other folder of this machine shortened to ``…/name``."""
    for folder in dict.fromkeys((str(root), str(root.resolve())) if root is not None else ()):
        if len(Path(folder).parts) < 2:  # the file system root: every path would shrink
            continue
        text = re.sub(re.escape(folder) + r"(/|(?![\w.-]))", lambda m: "" if m.group(1) else ".", text)
    return _ABSOLUTE.sub(_shorten, text)


def xml_text(value: object) -> str:
    """A value for JUnit XML text or an attribute: characters XML 1.0 does not allow written as
    escapes (``\\x1b``, ``\\x00``, ``\\ufffe``, ``\\udc80``)."""
    return _NOT_XML.sub(_escape, str(value))
