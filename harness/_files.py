"""Reading the user's files with messages that say which file, which line, and what to do.

Only regular files are read (a FIFO named ``x.yaml`` would block the run forever). YAML is
loaded strictly: a key given twice is an error (PyYAML keeps the last one silently, so a second
``rules:`` would switch the first set of rules off), and a document that expands past
:data:`MAX_YAML_VALUES` values through aliases (a "billion laughs" file) is refused before
anything walks it.

Every text file is normalized as it is decoded, here and nowhere else, so no engine sees what the
editor that saved it chose: CRLF and lone CR line endings become LF, and a UTF-8 byte order mark
is dropped. MRML rejects a CRLF inside a tag before its ``>`` ("unexpected token in root
template"), and a BOM would be the first character of the email. :func:`normalized` is the same
step on bytes, for hashes: a CRLF file and its LF twin have one identity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import HarnessError
from .safepaths import read_regular

__all__ = ["MAX_FILE_BYTES", "MAX_YAML_VALUES", "key_line", "normalized", "read_text", "read_yaml"]

#: Values a YAML file may hold once its aliases are expanded: far above any real fixture.
MAX_YAML_VALUES = 200_000
#: Bytes of one template, metadata or fixture file: a 5 MB email source is a mistake or an attack.
MAX_FILE_BYTES = 5_000_000


_BOM = b"\xef\xbb\xbf"


def normalized(data: bytes) -> bytes:
    """``data`` with CRLF and lone CR line endings as LF and a leading UTF-8 byte order mark
    dropped: what :func:`read_text` decodes, and what a hash of a template's files reads."""
    return data.removeprefix(_BOM).replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def read_text(path: Path, error: type[HarnessError]) -> str:
    """The UTF-8 text of the regular file ``path``, line endings as LF and no byte order mark;
    ``error`` naming the file and line when it is not UTF-8, too big or not a regular file."""
    data = normalized(read_regular(path, error, limit=MAX_FILE_BYTES))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 (byte {exc.start}); save the file as UTF-8") from None


#: libyaml's parser where PyYAML was built with it (its wheels are): ~10x faster, same results.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _StrictLoader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader, refusing a mapping that names one key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not key_node:
                raise _DuplicateKey(None, None, f"duplicate key {key!r} (first at line {first.start_mark.line + 1})", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _too_big(value: Any) -> bool:
    """Whether ``value`` holds more than MAX_YAML_VALUES values, aliases counted each time they
    are used; stops counting as soon as it knows."""
    budget = MAX_YAML_VALUES
    stack = [value]
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def read_yaml(path: Path, error: type[HarnessError]) -> Any:
    text = read_text(path, error)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise error(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise error(f"{path}: invalid YAML: nested too deeply") from None
    if _too_big(data):
        raise error(f"{path}: more than {MAX_YAML_VALUES:,} values once its aliases are expanded (an alias bomb?)")
    return data


def key_line(path: Path | None, *keys: str) -> int | None:
    """The line of ``keys`` (a path of mapping keys, ``screenshots``, ``fixtures``) in the YAML
    file ``path``, for a message that points at it; None when the file or the key is not there.
    Reads the node tree only (no values are built), so a file ``read_yaml`` accepted is cheap."""
    if path is None:
        return None
    try:
        node = yaml.compose(path.read_text(encoding="utf-8", errors="replace"), Loader=_BASE)
    except (OSError, yaml.YAMLError, RecursionError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        if match is None:
            return None
        line, node = match[0].start_mark.line + 1, match[1]
    return line
