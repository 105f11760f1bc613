"""Loading a project's own code: the one place plugins come from, for the CLI and pytest alike.

Two sources, imported in this order before the catalog or any fixture is read:

1. installed packages that declare an entry point in the ``email_harness`` group
   (``[project.entry-points.email_harness] acme = "acme_emails.harness"``);
2. the modules named by ``plugins = ["acme_emails.harness"]`` in ``[tool.email-harness]``,
   importable from the project root.

Importing a module runs its ``@rules.register(...)``, ``@guards.register(...)``, ...
decorators. pytest's ``conftest.py`` is deliberately not a source: ``email-harness run`` does
not read it, and a check must give the same verdict from both fronts. A plugin registered from a
conftest is refused with a message saying where to move it (:func:`registered_in_conftest`).
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .boundary import location
from .errors import ConfigError

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["ENTRY_POINT_GROUP", "check_names", "import_object", "load_plugins", "registered_in_conftest", "registries"]

ENTRY_POINT_GROUP = "email_harness"


def registries() -> dict[str, Any]:
    """Every plugin point by the name it has in ``harness``."""
    import harness

    return {name: getattr(harness, name) for name in (
        "rules", "guards", "filters", "jinja_tests", "jinja_globals", "jinja_extensions", "snapshot_kinds", "mjml_engines",
        "renderers",
    )}


def load_plugins(root: Path, modules: tuple[str, ...] | list[str]) -> None:
    """Import every entry point of the ``email_harness`` group, then ``modules`` from ``root``."""
    import harness  # noqa: F401 - the built-ins register first, so a team can override them

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: a plugin must not end the run as a pass
            raise ConfigError(f"entry point {ep.name} = {ep.value!r} (group {ENTRY_POINT_GROUP}): {_why(exc)}") from None
    if modules and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    for name in modules:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(f"[tool.email-harness] plugins: {name!r} is not a module name (e.g. 'acme_emails.harness')")
        _import(name, f"[tool.email-harness] plugins: {name!r}")


def import_object(spec: str, setting: str) -> Any:
    """``"package.module:Name"`` -> the object, with a message naming the setting on failure."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"[tool.email-harness] {setting} = {spec!r}: expected 'package.module:Name'")
    module = _import(module_name, f"[tool.email-harness] {setting} = {spec!r}")
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ConfigError(f"[tool.email-harness] {setting} = {spec!r}: module {module_name} has no {attribute!r}") from None


def _import(name: str, where: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # The named module (or a package on its path) is missing, not something it imports:
        # by dotted parts, so 'chevron' missing inside plugin 'chevron_emails' names its file.
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise ConfigError(f"{where}: no module named {exc.name!r} importable from the project root") from None
        raise ConfigError(f"{where}: {_why(exc)}") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        # SystemExit and GeneratorExit included: 'sys.exit(0)' in a plugin module would otherwise
        # end 'email-harness run' with exit 0 and nothing checked, a green CI that means nothing.
        raise ConfigError(f"{where}: importing it failed: {_why(exc)}") from None


def _why(exc: BaseException) -> str:
    """The exception and the innermost line of the user's code that raised it."""
    if isinstance(exc, SyntaxError):  # its place is the file being compiled, not a frame
        return f"SyntaxError: {exc.msg} ({exc.filename}:{exc.lineno})"
    place = location(exc)  # the same reading of a traceback as every other call into a plugin
    where = f" ({place})" if place else ""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r}){where}; a plugin module must only register plugins"
    return f"{type(exc).__name__}: {exc}{where}"


def registered_in_conftest() -> list[str]:
    """``"rule 'x' (conftest)"`` for every plugin a pytest conftest.py registered."""
    found = []
    for registry in registries().values():
        for name, origin in sorted(registry.origins.items()):
            if origin == "conftest" or origin.endswith(".conftest"):
                found.append(f"{registry.kind} {name!r} ({origin})")
    return found


def check_names(catalog: Catalog) -> None:
    """Every send guard and rule the catalog names is registered: one configuration error that
    lists each unknown name with its file and the known names, before any case runs."""
    from .guards import guards
    from .render.renderers import BUILTIN_EXTENSIONS, renderers
    from .rules import rules

    problems = []
    where = [(catalog.root / "_catalog.yaml", catalog.settings.requires, catalog.settings.rules)]
    # A template's guards after the catalog's: each unknown name is reported where it is written.
    where += [(t.meta_path or t.source_path, [r for r in t.meta.requires if r not in catalog.settings.requires], t.meta.rules)
              for t in catalog.templates.values()]
    conftest = catalog.root.parent / "conftest.py"
    conftest_text = conftest.read_text(encoding="utf-8", errors="replace") if conftest.is_file() else ""
    for path, required, configured in where:
        for kind, names, registry in (("requires: unknown send guard", required, guards), ("rules: unknown rule", configured, rules)):
            for name in names:
                if name in registry:
                    continue
                hint = (f" (it is in {conftest}, which 'email-harness run' does not read)"
                        if f'"{name}"' in conftest_text or f"'{name}'" in conftest_text else "")
                problems.append(f"{path}: {kind} {name!r}{hint}; known: {registry.known()}")
    for template in catalog.templates.values():
        if template.renderer not in BUILTIN_EXTENSIONS.values() and template.renderer not in renderers:
            known = ", ".join(sorted({*BUILTIN_EXTENSIONS.values(), *renderers.names()}))
            problems.append(f"{template.meta_path or catalog.root / '_catalog.yaml'}: renderer: unknown renderer {template.renderer!r}; known: {known}")
    if problems:
        raise ConfigError(
            "\n".join(problems) + "\n  register it in a module listed under [tool.email-harness] plugins, "
            "or fix the name"
        )
