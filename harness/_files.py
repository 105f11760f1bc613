"""Reading the user's files with messages that say which file, which line, and what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import HarnessError

__all__ = ["read_text", "read_yaml"]


def read_text(path: Path, error: type[HarnessError]) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 (byte {exc.start}); save the file as UTF-8") from None


#: libyaml's loader where PyYAML was built with it (its wheels are): ~10x faster, same results.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, error: type[HarnessError]) -> Any:
    try:
        return yaml.load(read_text(path, error), Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise error(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
