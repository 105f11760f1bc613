"""The engine both fronts share: a case renders, is checked by rules and compared with its
approved snapshot in exactly one way, whether ``email-harness run`` or pytest asked.

Writes (``update=True`` or :meth:`Engine.approve`) are queued while cases run and flushed once by
:meth:`Engine.flush`, so a run that crashes half-way writes nothing half-way.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel

from .case_result import CaseResult, PartChange, Status, environment_notes
from .cases import Case, select
from .catalog import Catalog, Template, load_catalog
from .catalog.fixture_names import check_fixture_names
from .catalog.strings import missing_translations
from .catalog.templates import language_of
from .boundary import PluginFailure, call_plugin
from ._files import normalized
from .errors import ConfigError, HarnessError, ScreenshotError, SnapshotError
from .fixtures import FixtureSet, fixture_files, load_fixtures
from .message.stage import MessageStage
from .plugins import check_names, import_object, load_plugins
from .project import Project
from .render import RenderedEmail, Renderer, mjml_engines
from .render.mjml_engines import MjmlEngine
from .render.formatting import text_direction
from .render.translations import TranslationSet
from .rules import Finding, RuleContext, run_rules
from .rules.options import check_rule_options, field_paths
from .safepaths import NAME
from .screenshots import Camera, viewport
from .screenshots.cache import ShotCache
from .screenshots.stage import ScreenshotOutcome, screenshot_case
from .snapshots.accepted import carried, check_accepted, fixture_names
from .snapshots.outcome import outcome_change
from .snapshots import (
    ApprovedSnapshot,
    HtmlKind,
    SnapshotKind,
    SnapshotStore,
    TextPartKind,
    manifest_hash,
    sha256,
    snapshot_kinds,
)
from .timing import Stopwatch

__all__ = ["CaseResult", "Engine", "PartChange", "Status", "environment_notes"]

try:
    HARNESS_VERSION = version("email-harness")
except PackageNotFoundError:  # running from a source tree that is not installed
    HARNESS_VERSION = "0+unknown"


def _derivation_digest() -> str:
    """The code and library versions that turn raw HTML into ``body.html`` and ``body.txt``."""
    from .render import text as text_module
    from .snapshots import normalize as normalize_module

    digest = hashlib.sha256()
    for module in (normalize_module, text_module):
        digest.update(Path(module.__file__ or "").read_bytes())
    for package in ("beautifulsoup4", "lxml", "inscriptis"):
        try:
            digest.update(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:16]


_DERIVATION = _derivation_digest()
_DERIVED_KINDS = (HtmlKind, TextPartKind)
#: An email that declares dark styles (the media query, in a style block or a <link media>).
DARK_STYLES = re.compile(r"prefers-color-scheme\s*:\s*dark", re.IGNORECASE)


def _new_engine(project: Project) -> MjmlEngine:
    """The configured MJML engine, built through the plugin boundary: a ConfigError naming it."""
    name = project.mjml_engine
    engine = call_plugin(mjml_engines, name, mjml_engines.get(name), project_root=project.root, error=ConfigError)
    if not callable(getattr(engine, "render", None)) or not isinstance(getattr(engine, "name", None), str):
        raise ConfigError(
            f"MJML engine {name!r} (module {mjml_engines.origins.get(name)}) built a {type(engine).__name__} without "
            "a name (str) and render(self, mjml) -> str; see harness.render.mjml_engines"
        )
    return engine


def _new_kind(name: str) -> SnapshotKind:
    """A registered snapshot kind, built through the plugin boundary. Its ``filename`` names a
    file of every case's snapshot and report folder, so it passes the name grammar here, before
    anything is written (``../../outside/pwned.txt`` would leave the report folder)."""
    kind = call_plugin(snapshot_kinds, name, snapshot_kinds.get(name), error=ConfigError)
    where = f"snapshot kind {name!r} (module {snapshot_kinds.origins.get(name)})"
    filename = getattr(kind, "filename", None)
    if not isinstance(filename, str) or not NAME.fullmatch(filename):
        raise ConfigError(f"{where}: filename {str(filename)[:80]!r} is not a valid name (letters, digits, '_', '-', '.'; "
                          "no '/' and no leading dot): it names a file in each case's snapshot folder")
    if filename == "manifest.json" or filename.endswith(".png") or not isinstance(getattr(kind, "name", None), str):
        raise ConfigError(f"{where}: needs a name (str) and a filename other than manifest.json or a .png (the harness's own)")
    if not callable(getattr(kind, "serialize", None)) or not callable(getattr(kind, "diff", None)):
        raise ConfigError(f"{where}: needs serialize(email) and diff(approved, received, *, label); subclass harness.snapshots.kinds.TextKind")
    return kind


def _html_source(email: RenderedEmail) -> str:
    """Identity of a case's raw HTML and of the code deriving its snapshot parts from it."""
    return sha256(f"{_DERIVATION}\0{email.html}".encode())


@dataclass(frozen=True)
class _PendingWrite:
    case: Case
    parts: dict[str, bytes]
    manifest: dict[str, object]


class Engine:
    """Use as a context manager (or call :meth:`close`) so the browser is shut down."""

    def __init__(
        self,
        project: Project,
        *,
        update: bool = False,
        strict: bool = False,
        screenshots: bool | None = None,
        reuse_screenshots: bool = True,
        allow_outcome_change: bool = False,
        cache: bool | None = None,
        smtp: bool = True,
    ) -> None:
        self.project = project
        #: Send each message through a local SMTP server and compare what arrived (``--no-smtp``: off).
        self.smtp = smtp
        #: Each sent case's message: its .eml in the report, the SMTP round trip, DKIM (harness.message).
        self.messages = MessageStage(project.output, smtp=smtp)
        #: Reuse approved PNGs when HTML and browser are unchanged (off: a cold run, for the benchmark).
        self.reuse_screenshots = reuse_screenshots
        self.update = update
        #: Updates and approvals may write a case that starts or stops being sent; without it
        #: such a case is held back (see ``harness.snapshots.outcome``).
        self.allow_outcome_change = allow_outcome_change
        #: Warnings fail the case too.
        self.strict = strict
        # The project's own code first: every registry is full before anything is validated.
        load_plugins(project.root, project.plugins)
        self.catalog: Catalog = load_catalog(project.catalog)
        check_names(self.catalog)
        model = import_object(project.fixture_model, "fixture_model") if project.fixture_model else None
        if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ConfigError(f"[tool.email-harness] fixture_model = {project.fixture_model!r}: not a pydantic model class")
        default_locale = self.catalog.settings.default_locale
        if not project.fixtures.is_dir():
            raise ConfigError(f"fixtures folder {project.fixtures} does not exist; create it (one YAML file per fixture) or pass --fixtures DIR")
        self.fixtures: FixtureSet = load_fixtures(project.fixtures, model, default_locale=default_locale)
        # A fixture id under screenshots: that names no fixture would silently screenshot nothing.
        check_fixture_names(self.catalog, self.fixtures.ids)
        # Every rule's options, field paths against the fixtures: a misconfigured rule stops the run.
        check_rule_options(self.catalog, field_paths(model, (f.data for f in self.fixtures.fixtures.values())))
        #: Seconds per pipeline stage over the run (see ``harness.timing.STAGES``).
        self.stopwatch = Stopwatch()
        self.renderer = Renderer(
            self.catalog, _new_engine(project), now=project.now, stopwatch=self.stopwatch,
            translations=TranslationSet(project.translations, use_fuzzy=project.use_fuzzy),
        )
        # A hole in a translation fails that template's cases, whether or not a fixture uses it.
        for name, error in missing_translations(self.catalog, self.renderer.env, self.renderer.translations).items():
            self.catalog.templates.pop(name, None)
            self.catalog.errors[name] = error
        self.store = SnapshotStore(project.snapshots)
        # Outcome first: "now sent" or "no longer sent" is the change a reviewer must see first.
        self.kinds: list[SnapshotKind] = [
            _new_kind(name) for name in sorted(snapshot_kinds.names(), key=lambda n: (n != "outcome", n))
        ]
        self._pending: list[_PendingWrite] = []
        #: One browser per run, started on the first case that needs a screenshot.
        self.camera: Camera | None = None
        if project.screenshots if screenshots is None else screenshots:
            self.camera = Camera(project.catalog, browser=project.browser, stopwatch=self.stopwatch)
        #: This machine's earlier shots, outside ``snapshots/`` (``cache=False`` or the project's
        #: ``cache = false``: off); environment-only differences live there, never in ``snapshots/``.
        self.cache: ShotCache | None = None
        if self.camera is not None and project.cache is not None and cache is not False:
            self.cache = ShotCache(project.cache, assets=project.catalog, max_bytes=project.cache_max_mb * 1_000_000)
        self._variant_fixtures: dict[str, str | None] = {}
        #: Environment differences seen (what differs -> cases), reported once per run.
        self.environment: Counter[str] = Counter()
        self.environment_diffs = 0
        #: What went wrong closing the team's MJML engine: the cases stand, the report says it.
        self.close_problems: list[str] = []

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.messages.close()  # the SMTP server: no port left open
        if self.camera is not None:
            self.camera.close()
        close_engine = getattr(self.renderer.engine, "close", None)
        if callable(close_engine):
            try:
                call_plugin(mjml_engines, self.renderer.engine.name, close_engine, error=PluginFailure, where="at the end of the run")
            except PluginFailure as exc:  # every case has its result: keep them and the report
                self.close_problems.append(str(exc))

    def environment_notes(self) -> list[str]:
        return environment_notes(self.environment, self.environment_diffs, cached=self.cache is not None) + self.close_problems

    # -- what to run -------------------------------------------------------------------------

    def cases(self, only: Sequence[str] = ()) -> list[Case]:
        """Every template x every fixture, broken ones included (they become error results)."""
        every = [Case(t, f) for t in self.catalog.names for f in self.fixtures.ids]
        return select(every, only)

    def unused_snapshots(self, only: Sequence[str] = ()) -> list[Case]:
        """Snapshots on disk that no case produces any more (template or fixture gone), among
        those ``only`` selects."""
        produced = set(self.cases())
        on_disk = {Case(t, f) for t, f in self.store.cases()}
        return select(sorted(on_disk - produced), only)

    def run_digest(self) -> str:
        """The identity of what a run checks (every case, every template file, every fixture
        file): shards of one CI run agree on it, shards of different commits do not."""
        digest = hashlib.sha256()
        for case in self.cases():
            digest.update(case.id.encode() + b"\0")
        for name, template in sorted(self.catalog.templates.items()):
            digest.update(f"{name}:{template.files_hash}\0".encode())
        for path in fixture_files(self.project.fixtures):
            digest.update(path.name.encode() + b"\0" + (normalized(path.read_bytes()) if path.is_file() else b""))
        return digest.hexdigest()[:16]

    # -- one case ----------------------------------------------------------------------------

    def render(self, case: Case) -> RenderedEmail:
        """Render one case; raises a ``HarnessError`` naming the broken template or fixture."""
        if case.template in self.catalog.errors:
            raise self.catalog.errors[case.template]
        if case.fixture in self.fixtures.errors:
            raise self.fixtures.errors[case.fixture]
        return self.renderer.render(self.catalog.templates[case.template], self.fixtures.fixtures[case.fixture])

    def check(self, case: Case, *, write: bool | None = None) -> CaseResult:
        """Render, screenshot, run the rules, compare with the approved snapshot; queue a write
        when updating."""
        started = time.perf_counter()
        try:
            email = self.render(case)
            approved = self.store.read(case.template, case.fixture)
            received = self._serialize(email, approved)
            shots = self._screenshots(case, email, received, approved)
        except HarnessError as exc:
            return CaseResult(case, "error", error=str(exc), seconds=time.perf_counter() - started)
        result = CaseResult(case, "passed", outcome=email.outcome, locale=email.locale, reason=email.reason)
        if email.sent:
            # Before the rules: the round trip, and spamd's score for rule spam-score (spamd's
            # start-up must not count against a rule's time limit).
            with self.stopwatch.stage("message"):
                delivered = self.messages.check(email, spam="spam-score" in self.catalog.rules_for(self.catalog.templates[case.template]))
            with self.stopwatch.stage("rules"):
                result.findings = self._locale_fallback(case, email) + self._rules(case, email, shots) + delivered
        try:
            with self.stopwatch.stage("compare"):
                result.changes = self._compare(approved, received)
                # Findings accepted with a reason (accepted-findings.yaml) do not fail the case.
                names = fixture_names(self.fixtures.fixtures[case.fixture])
                result.findings, result.accepted = check_accepted(
                    result.findings, approved, names, case.id, screenshots=self.camera is not None)
        except SnapshotError as exc:
            result.status, result.error = "error", str(exc)
            result.seconds = time.perf_counter() - started
            return result
        parts = {name: text.encode("utf-8") for name, text in received.items()} | carried(approved)
        screenshot_manifest = self._screenshot_parts(shots, approved, parts, result)
        # A note never fails a case, not even with --strict: it records something deliberate.
        failing = any(f.severity == "error" or (self.strict and f.severity == "warning") for f in result.findings)
        writing = self.update if write is None else write
        self._outcome_change(result, approved.text("outcome.txt") if approved else None, received, writing=writing)
        if result.changes:
            # Evidence for the report and for 'approve --from': what would be written, and which
            # approved snapshot it replaces.
            result.received = parts
            result.manifest = self._manifest(case, email, screenshot_manifest)
            result.approved_manifest = manifest_hash(approved.manifest) if approved else None
            if writing and not result.held:
                self._pending.append(_PendingWrite(case, parts, result.manifest))
                result.status = "updated"
            else:
                result.status = "new" if approved is None else "changed"
        # No change a reviewer sees: nothing is written, even when this machine's browser or the
        # harness's probes measured the page differently; those shots live in the local cache
        # (self.cache), and only 'approve --rebaseline' records them in snapshots/.
        if failing:
            result.status = "failed"
        result.seconds = time.perf_counter() - started
        return result

    def _outcome_change(self, result: CaseResult, before: str | None, received: dict[str, str], *, writing: bool = True) -> None:
        """Record whether the case starts or stops being sent, and hold it back from any write
        unless that was confirmed: who gets an email is never approved by accident."""
        result.outcome_change = outcome_change(before, received.get("outcome.txt"))
        if result.outcome_change:
            result.approved_outcome = before
            result.held = writing and not self.allow_outcome_change

    def _serialize(self, email: RenderedEmail, approved: ApprovedSnapshot | None = None, *, cached: bool = True) -> dict[str, str]:
        """Every kind's text. When the raw HTML and the code that derives from it are unchanged
        since approval, the normalized HTML and the derived text part cannot have changed: they
        are taken from the snapshot instead of re-computed (half of an unchanged re-run); when
        only the snapshot's were derived by other code (an older harness, other library
        versions), from the local cache (``cached``) where an earlier run put them."""
        reusable: dict[str, str] = {}
        source = _html_source(email) if email.sent else ""
        if approved and email.sent and approved.manifest.get("html_source") == source:
            reusable["body.html"] = approved.text("body.html") or ""
            if email.written_text is None and (text := approved.text("body.txt")) is not None:
                reusable["body.txt"] = text
        elif email.sent and cached and self.cache is not None:
            reusable = {name: text for name, text in (self.cache.get_texts(source) or {}).items()
                        if name == "body.html" or (name == "body.txt" and email.written_text is None)}
        if "body.txt" in reusable:
            email.__dict__["text"] = reusable["body.txt"]  # prime the cached property the rules read
        if email.sent and "text" not in email.__dict__:
            with self.stopwatch.stage("text"):
                email.text  # noqa: B018 - derive the text part now, so the stage is timed as such
        parts: dict[str, str] = {}
        with self.stopwatch.stage("normalize"):
            for kind in self.kinds:
                reuse = type(kind) in _DERIVED_KINDS and kind.filename in reusable  # not subclasses: they may serialize otherwise
                text = reusable[kind.filename] if reuse else call_plugin(
                    snapshot_kinds, kind.name, kind.serialize, email, error=PluginFailure,
                    where=f"{email.template}[{email.fixture}]", returns=(str, type(None)), expected="str or None",
                )
                if text is not None:
                    parts[kind.filename] = text
        if email.sent and self.cache is not None and not reusable:
            self.cache.put_texts(source, {kind.filename: parts[kind.filename] for kind in self.kinds if type(kind) in _DERIVED_KINDS
                                          and kind.filename in parts and (kind.filename == "body.html" or email.written_text is None)})
        return parts

    def _screenshots(
        self, case: Case, email: RenderedEmail, received: dict[str, str], approved: ApprovedSnapshot | None,
        *, approving: bool = False,
    ) -> ScreenshotOutcome | None:
        """Screenshots of this case, or None when it has none (not sent, fixture not chosen,
        screenshots off)."""
        if self.camera is None or not email.sent:
            return None
        template = self.catalog.templates[case.template]
        settings = self.catalog.screenshot_settings(template)
        if settings.fixtures is not None and case.fixture not in settings.fixtures:
            return None
        html = received.get("body.html", "")
        rules = self.catalog.rules_for(template)
        accessibility = "accessibility" in rules and rules["accessibility"].get("axe", True) is not False
        names = list(settings.viewports)
        variants = settings.variants
        if case.fixture in (variants.fixtures if variants.fixtures is not None else [self._variant_fixture(template)]):
            names += [name for name in variants.viewports if name not in names]
        # An email without dark styles looks the same in dark mode: no PNG to keep.
        dark_styles = bool(DARK_STYLES.search(email.html))
        viewports = [vp for vp in map(viewport, names) if vp.color_scheme != "dark" or dark_styles]
        try:
            outcome = screenshot_case(
                self.camera,
                settings,
                email.html,
                sha256(html.encode()),
                dict(approved.parts) if approved else {},
                (approved.manifest.get("screenshots") if approved else None),
                accessibility=accessibility,
                viewports=viewports,
                rtl=text_direction(email.locale) == "rtl",
                approving=approving,
                reuse=self.reuse_screenshots,
                cache=self.cache,
            )
        except ScreenshotError as exc:
            raise ScreenshotError(f"{case.id}: {exc}") from None
        if outcome.environment and not approving:
            self.environment[outcome.environment] += 1
            self.environment_diffs += outcome.environment_diffs
        return outcome

    def _variant_fixture(self, template: Template) -> str | None:
        """The first screenshotted fixture this template sends: the one that gets the variants
        when ``variants.fixtures`` is not set (without ``screenshots.fixtures``: fixtures in the
        default locale first, then by id). Only the send guards run, in that order, so the
        answer does not depend on which cases this run selected or in what order."""
        if template.name not in self._variant_fixtures:
            settings = self.catalog.screenshot_settings(template)
            chosen = None
            everyone = self.fixtures.fixtures
            # Without a list, the catalog's default language first: the looks of the source text.
            default = self.catalog.settings.default_locale
            candidates = settings.fixtures if settings.fixtures is not None else sorted(everyone, key=lambda f: (everyone[f].locale != default, f))
            for fid in candidates:
                fixture = self.fixtures.fixtures.get(fid)
                if fixture is not None and self.renderer.sends(template, fixture):
                    chosen = fid
                    break
            self._variant_fixtures[template.name] = chosen
        return self._variant_fixtures[template.name]

    def _screenshot_parts(
        self, shots: ScreenshotOutcome | None, approved: ApprovedSnapshot | None, parts: dict[str, bytes], result: CaseResult
    ) -> dict[str, object] | None:
        """Add the PNGs to ``parts`` and their changes to ``result``; return the manifest block.

        With screenshots off, the approved PNGs are carried over untouched (their manifest keeps
        the old HTML hash, so the next run with screenshots re-takes them)."""
        approved_pngs = {n: d for n, d in (approved.parts.items() if approved else ()) if n.endswith(".png")}
        if shots is None:
            if self.camera is None:
                parts.update(approved_pngs)
                return approved.manifest.get("screenshots") if approved and approved_pngs else None
            for filename in sorted(approved_pngs):  # the case no longer has screenshots
                result.changes.append(PartChange("screenshot", filename, "removed", "no longer screenshotted"))
            return None
        result.screenshots = "reused" if shots.reused else "cached" if shots.cached else "taken"
        result.environment, result.environment_diffs = shots.environment, shots.environment_diffs
        parts.update(shots.pngs)
        result.diffs = shots.diffs
        for change in shots.changes:
            result.changes.append(PartChange("screenshot", change.filename, change.status, change.description))
        return shots.manifest

    def _locale_fallback(self, case: Case, email: RenderedEmail) -> list[Finding]:
        """A note (or what ``locale_fallback`` says) when the fixture's language is not offered."""
        wanted = self.fixtures.fixtures[case.fixture].locale
        if wanted == email.locale:
            return []
        template = self.catalog.templates[case.template]
        if language_of(wanted) == language_of(email.locale):  # de-DE sent in de, as gettext and Babel fall back
            return [Finding(
                "locale", "note", f"sent in {email.locale} for {wanted}: the language, as gettext and Babel fall back",
                element=f"{template.meta_path or template.source_path}: locales", expected=f"{wanted} among {template.meta.locales} for its own version",
            )]
        return [Finding(
            "locale", self.catalog.settings.locale_fallback, f"sent in {email.locale}: {wanted} not offered",
            element=f"{template.meta_path or template.source_path}: locales", expected=f"{wanted} among {template.meta.locales}",
        )]

    def _rules(self, case: Case, email: RenderedEmail, shots: ScreenshotOutcome | None) -> list[Finding]:
        template = self.catalog.templates[case.template]
        fixture = self.fixtures.fixtures[case.fixture]
        others = [f for fid, f in self.fixtures.fixtures.items() if fid != case.fixture]
        base = RuleContext(
            "", email, fixture, others, template, {}, self.renderer.approved_copy(email.locale),
            screenshots=shots.pngs if shots else {}, axe=shots.axe if shots else None,
            page=shots.page if shots else None,
        )
        return run_rules(self.catalog.rules_for(template), base, stopwatch=self.stopwatch)

    def _compare(self, approved: ApprovedSnapshot | None, received: dict[str, str]) -> list[PartChange]:
        changes: list[PartChange] = []
        for kind in self.kinds:
            new = received.get(kind.filename)
            old = approved.text(kind.filename) if approved else None
            if old == new:
                continue
            if old is None:
                # A part that appears in an existing snapshot (say, a case that is now sent) is
                # shown in full; a case with no snapshot at all just says "new".
                diff = kind.diff("", new or "", label=kind.filename) if approved else ""
                changes.append(PartChange(kind.name, kind.filename, "new", diff))
            elif new is None:
                changes.append(PartChange(kind.name, kind.filename, "removed", kind.diff(old, "", label=kind.filename)))
            else:
                changes.append(PartChange(kind.name, kind.filename, "changed", kind.diff(old, new, label=kind.filename)))
        return changes

    # -- writing -----------------------------------------------------------------------------

    def _manifest(self, case: Case, email: RenderedEmail, screenshots: dict[str, object] | None) -> dict[str, object]:
        template = self.catalog.templates[case.template]
        manifest: dict[str, object] = {
            "case": case.id,
            "harness": HARNESS_VERSION,
            "mjml_engine": self.renderer.engine.name,
            "locale": email.locale,
            "template_files": template.files_hash,
        }
        if email.sent:
            manifest["html_source"] = _html_source(email)
        if screenshots:
            manifest["screenshots"] = screenshots
        return manifest

    def approve(self, case: Case, *, rebaseline: bool = False) -> CaseResult:
        """Render ``case`` and queue its snapshot for writing, even over a corrupt one, when a
        part a reviewer sees changed. ``rebaseline``: also when only what this machine's browser
        took or measured differs (another build, older probes): ``approve --rebaseline``."""
        try:
            email = self.render(case)
            try:
                approved = self.store.read(case.template, case.fixture)
            except SnapshotError:
                approved = None  # approving is how a corrupt snapshot gets replaced
            received = self._serialize(email, cached=False)  # what an approval writes is derived now
            shots = self._screenshots(case, email, received, approved, approving=True)
        except HarnessError as exc:
            return CaseResult(case, "error", error=str(exc))
        result = CaseResult(case, "updated", outcome=email.outcome, locale=email.locale, reason=email.reason)
        parts = {name: text.encode("utf-8") for name, text in received.items()} | carried(approved)
        screenshot_manifest = self._screenshot_parts(shots, approved, parts, result)
        manifest = self._manifest(case, email, screenshot_manifest)
        try:
            # Environment-only differences (no change in any kind's text, no screenshot change
            # beyond tolerance and browser noise) are no approval: an approval pull request
            # carries only the cases someone changed.
            unreviewed = approved is not None and not rebaseline and not result.changes and not self._compare(approved, received)
        except SnapshotError:
            unreviewed = False  # a part that does not decode: approving is how it gets replaced
        if unreviewed or (
            approved is not None and approved.parts == parts and {k: v for k, v in approved.manifest.items() if k != "parts"} == manifest
        ):
            result.status = "passed"  # nothing to approve: its files stay untouched, byte for byte
            return result
        # The approved outcome from the one validated source, even over a corrupt snapshot: a
        # broken manifest beside "not sent" must not let this approval flip it to "sent".
        try:
            before = self.store.approved_outcome(case.template, case.fixture)
        except HarnessError as exc:  # a folder that is a symlink: refused, nothing written
            return CaseResult(case, "error", error=str(exc))
        self._outcome_change(result, before, received)
        if result.held:
            result.status = "changed"
            return result
        self._pending.append(_PendingWrite(case, parts, manifest))
        return result

    @property
    def pending(self) -> list[Case]:
        return [w.case for w in self._pending]

    def flush(self) -> list[Case]:
        """Write every queued snapshot (each file atomically, the manifest last)."""
        written = []
        if not self._pending:
            return written
        with self.store.lock():
            for write in self._pending:
                self.store.write(write.case.template, write.case.fixture, write.parts, write.manifest)
                written.append(write.case)
        self._pending.clear()
        return written

    def prune(self, unused: Sequence[Case]) -> None:
        for case in unused:
            self.store.remove(case.template, case.fixture)
