"""The spam score, offline: SpamAssassin's ``spamd`` on 127.0.0.1, one for the run, network
tests off (``-L``: no DNS blocklists, no Razor/Pyzor), no Bayes learning, so a score depends on the
message and the installed rules only.

Scores are cached by the message's hash and SpamAssassin's version (``$XDG_CACHE_HOME/
email-harness/spam``): an unchanged re-run does not score again. Where SpamAssassin is not
installed, :func:`score` says how to install it instead of failing (see the ``spam-score`` rule).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTALL_HINT", "Spamd", "SpamResult", "Unavailable", "score", "stop"]

#: How to get SpamAssassin (Debian's spamd daemon is its own package since Debian 12).
INSTALL_HINT = ("install SpamAssassin: 'make setup' or 'sudo apt-get install spamassassin spamc spamd' "
                "(Debian, Ubuntu); 'brew install spamassassin' (macOS)")
#: What spamd may do offline: no Bayes database to learn into, no network checks.
_LOCAL_CF = "use_bayes 0\nbayes_auto_learn 0\nskip_rbl_checks 1\ndns_available no\nuse_razor2 0\nuse_pyzor 0\n"
_RULE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")
_SCORE = re.compile(rb"Spam: \w+ ; (-?[\d.]+) / (-?[\d.]+)")


_PREFIX = "email-harness-spamd-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans() -> list[int]:
    """Stop the spamd of a run that was killed before it could (SIGKILL, a CI timeout): its
    folder records the run's pid and spamd's; spamd is stopped only when the run is gone and the
    process is still that spamd (its command line names the folder). Returns the pids stopped."""
    stopped = []
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner, daemon = (int(n) for n in (folder / "owner").read_text().split())
        except (OSError, ValueError):
            continue  # starting, or not ours
        if _alive(owner):
            continue
        try:
            command = Path(f"/proc/{daemon}/cmdline").read_bytes()
        except OSError:
            command = b""
        if str(folder).encode() in command:
            try:
                os.killpg(daemon, signal.SIGTERM)
                stopped.append(daemon)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(folder, ignore_errors=True)
    return stopped


class Unavailable(Exception):
    """SpamAssassin cannot score here; the message says why and what to do."""


@dataclass(frozen=True)
class SpamResult:
    """SpamAssassin's verdict on one message."""

    #: The total score (5.0 is SpamAssassin's own threshold).
    score: float
    #: ``(rule, points, description)`` of every rule that fired, highest points first.
    rules: tuple[tuple[str, float, str], ...]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binary() -> str | None:
    return shutil.which("spamd") or next((p for p in ("/usr/sbin/spamd", "/usr/bin/spamd") if os.access(p, os.X_OK)), None)


class Spamd:
    """One ``spamd`` process on 127.0.0.1 and the ``REPORT`` exchange of its protocol."""

    def __init__(self, *, timeout: float = 120.0) -> None:
        binary = _binary()
        if binary is None:
            raise Unavailable(f"SpamAssassin is not installed (no spamd found): {INSTALL_HINT}")
        reap_orphans()
        self.folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
        os.chmod(self.folder, 0o755)  # spamd drops to 'nobody' when started as root; it must read its config
        for pre in Path("/etc/spamassassin").glob("*.pre"):  # the plugins to load; siteconfigpath replaces the folder
            shutil.copy(pre, self.folder / pre.name)
        (self.folder / "local.cf").write_text(_LOCAL_CF)
        for path in self.folder.iterdir():
            os.chmod(path, 0o644)
        self.port = _free_port()
        command = [binary, "-L", "-x", "--listen", f"127.0.0.1:{self.port}", "--max-children", "1", "--min-children", "1",
                   "--siteconfigpath", str(self.folder), "--syslog", "stderr"]
        if os.geteuid() == 0:
            command += ["-u", "nobody"]
        started = time.perf_counter()
        # Its log goes to a file we opened (a pipe nobody reads would fill and stall it).
        self.log = open(self.folder / "spamd.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
                                        start_new_session=True)  # its own group: stop() ends the children too
        while not self._pong():
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                problem = (self.folder / "spamd.log").read_text("utf-8", "replace").strip().splitlines()[-3:]
                self.stop()
                raise Unavailable(f"spamd did not start within {timeout:.0f} s: {' '.join(problem)[-300:] or 'no answer'}")
            time.sleep(0.1)
        (self.folder / "owner").write_text(f"{os.getpid()} {self.process.pid}\n")
        #: Seconds spamd took to start (reported apart from scoring).
        self.startup = time.perf_counter() - started
        self.version = self._version(binary)

    @staticmethod
    def _version(binary: str) -> str:
        try:
            out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return "unknown"
        return out.strip().splitlines()[0] if out.strip() else "unknown"

    def _exchange(self, request: bytes, timeout: float = 60.0) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as connection:
            connection.sendall(request)
            connection.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def _pong(self) -> bool:
        try:
            return b"PONG" in self._exchange(b"PING SPAMC/1.5\r\n\r\n", timeout=2)
        except OSError:
            return False

    def report(self, message: bytes) -> SpamResult:
        """Score ``message``; the rules that fired with their points and descriptions."""
        answer = self._exchange(b"REPORT SPAMC/1.5\r\nContent-length: %d\r\n\r\n" % len(message) + message)
        found = _SCORE.search(answer)
        if found is None:
            raise Unavailable(f"spamd gave no score: {answer[:200]!r}")
        fired = []
        for line in answer.decode("utf-8", "replace").split("---- ---", 1)[-1].splitlines():
            match = _RULE_LINE.match(line)
            if match:
                fired.append((match.group(2), float(match.group(1)), match.group(3).strip()))
        return SpamResult(float(found.group(1)), tuple(sorted(fired, key=lambda r: (-r[1], r[0]))))

    def stop(self) -> None:
        """End spamd and its children; safe to call twice."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_lock = threading.Lock()
_spamd: Spamd | None = None
_failed: str | None = None
#: This run's scores by message hash: the engine scores before the rules run, the rule reads it.
_scored: dict[str, SpamResult] = {}


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "email-harness" / "spam"


def running() -> Spamd | None:
    """The run's spamd, if one was started."""
    return _spamd


def score(message: bytes, *, cache: bool = True) -> SpamResult:
    """The score of ``message``, from the cache or the run's spamd (started on first use)."""
    global _spamd, _failed
    key = hashlib.sha256(message).hexdigest()
    if key in _scored:
        return _scored[key]
    folder = _cache_folder()
    if cache and (hit := _read(folder, key)) is not None:
        _scored[key] = hit
        return hit
    with _lock:
        if _failed is not None:
            raise Unavailable(_failed)
        if _spamd is None:
            try:
                _spamd = Spamd()
            except Unavailable as exc:
                _failed = str(exc)  # once per run, not a start attempt per case
                raise
            atexit.register(stop)
        result = _spamd.report(message)
    if cache:
        _write(folder, key, _spamd.version, result)
    _scored[key] = result
    return result


def _read(folder: Path, key: str) -> SpamResult | None:
    try:
        data = json.loads((folder / f"{key}.json").read_text())
        if data.get("installed") != _installed():
            return None  # scored with other rules: score again
        return SpamResult(float(data["score"]), tuple((r[0], float(r[1]), r[2]) for r in data["rules"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _installed() -> str:
    """What identifies the installed rules without starting spamd: the rule folder's files."""
    rules = Path("/usr/share/spamassassin")
    try:
        return hashlib.sha256("".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in sorted(rules.glob("*.cf"))).encode()).hexdigest()[:16]
    except OSError:
        return "none"


def _write(folder: Path, key: str, version: str, result: SpamResult) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"score": result.score, "rules": [list(r) for r in result.rules], "spamassassin": version, "installed": _installed()}
        temporary = folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(payload))
        temporary.replace(folder / f"{key}.json")
    except OSError:
        pass  # a read-only home: score again next time


def stop() -> None:
    """Stop the run's spamd (the engine calls it when the run ends)."""
    global _spamd, _failed
    with _lock:
        if _spamd is not None:
            _spamd.stop()
            _spamd = None
        _failed = None
        _scored.clear()
