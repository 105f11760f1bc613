"""The template catalog: every body file a renderer claims (``NAME.mjml``, ``NAME.html`` or a
registered extension) anywhere under ``templates/``, named by its path (``billing/invoice_paid``),
with the files the layout finds beside it (subject, text part, metadata: see
:mod:`harness.catalog.layout`), plus catalog-wide settings in ``templates/_catalog.yaml``.

Folders and files starting with ``_`` (partials, approved copy) or ``.`` are not templates, nor
are partials the layout recognizes, nor documentation and assets (``*.md``, images, CSS). Any
other file the catalog cannot use is reported as an error of its name, never skipped without a
word.

Every metadata key may be set catalog-wide in ``_catalog.yaml``; a template's own metadata
overrides it (``subject``, ``description``, ``language``, ``renderer``, ``merge_tags``,
``locales``) or extends it: ``requires`` runs the catalog's guards first, then the template's
(``"!name"`` drops one of the catalog's), ``strings`` merges key by key, ``rules``
rule by rule (``false`` turns one off) and ``screenshots`` field by field.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._files import key_line, normalized, read_text, read_yaml
from ..errors import CatalogError, ConfigError
from ..message.settings import CatalogMessageSettings, MessageSettings
from ..safepaths import TEMPLATE
from .layout import LayoutSettings, discover, is_partial

__all__ = [
    "Catalog", "CatalogSettings", "LayoutSettings", "Template", "TemplateMeta", "css_selector", "language_of", "load_catalog",
    "merged_requires",
]


def _known(value: list[str], known: Iterable[str], what: str) -> list[str]:
    """``value`` if every name in it is one of ``known``, else a message listing both."""
    names = set(known)
    unknown = [v for v in value if v not in names]
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; known: {sorted(names)}")
    return value


def css_selector(selector: str) -> str:
    """``selector`` if it is CSS, else a ValueError saying why (for a pydantic validator);
    soupsieve (Beautiful Soup's selector engine) knows the CSS selector grammar."""
    import soupsieve

    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(f"not a CSS selector: {selector!r} ({first})") from None
    return selector


#: A locale code: ``en``, ``pt_BR``, ``zh-Hant``. It names files (``_copy/LOCALE.yaml``, gettext
#: catalogs), so nothing else gets through.
LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8}){0,2}")


#: The rules of a catalog that names none: checks that hold for any well-made email.
DEFAULT_RULES: dict[str, dict[str, Any] | bool] = {
    rule: {}
    for rule in ("no-leftovers", "no-foreign-data", "subject", "text-part", "size", "accessibility", "links", "images", "bidi-isolation",
                 "rtl-layout", "text-fits", "images-off", "empty-list", "missing-value")
}


def _viewport_names(value: list[str]) -> list[str]:
    from ..screenshots.viewports import VIEWPORTS

    return _known(value, VIEWPORTS, "viewport")


class VariantSettings(BaseModel):
    """The looks clients give an email (dark, forced dark, images off, pseudo-locale), shot for
    fewer fixtures than the plain viewports: each look multiplies the PNGs to keep."""

    model_config = ConfigDict(extra="forbid")
    #: Viewport names with a look suffix: ``mobile-dark``, ``desktop-forced-dark``,
    #: ``mobile-images-off``, ``mobile-pseudo``. ``-dark`` ones are shot only for emails that
    #: declare dark styles (``@media (prefers-color-scheme: dark)``).
    viewports: list[str] = []
    #: Fixtures that get them; None = the first screenshotted fixture each template sends (with
    #: no ``screenshots.fixtures``: the first in the default locale, by id).
    fixtures: list[str] | None = None

    @field_validator("viewports")
    @classmethod
    def _known_viewports(cls, value: list[str]) -> list[str]:
        return _viewport_names(value)


class ScreenshotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: Viewport names from ``harness.screenshots.VIEWPORTS``, for every screenshotted fixture.
    viewports: list[str] = ["desktop", "mobile"]
    #: pixelmatch colour threshold (0..1) and the share of pixels that may differ.
    threshold: float = Field(0.1, ge=0, le=1)
    max_diff_ratio: float = Field(0.0, ge=0, le=1)
    #: CSS selectors of regions allowed to vary; painted over before comparing.
    mask: list[str] = []
    #: Fixtures screenshotted; None = every sent case. Text snapshots always cover every case.
    fixtures: list[str] | None = None
    #: More looks for a few fixtures (see :class:`VariantSettings`).
    variants: VariantSettings = VariantSettings()

    @field_validator("mask")
    @classmethod
    def _css_selectors(cls, value: list[str]) -> list[str]:
        # Checked when the catalog loads, so a typo names this setting, not a browser error mid-run.
        return [css_selector(selector) for selector in value]

    @field_validator("viewports")
    @classmethod
    def _known_viewports(cls, value: list[str]) -> list[str]:
        return _viewport_names(value)


class TemplateMeta(BaseModel):
    """The metadata of one template: its metadata file over the catalog's defaults (see the
    module's docstring for the merge rule). ``rules`` and ``screenshots`` stay the template's
    own here; :meth:`Catalog.rules_for` and :meth:`Catalog.screenshot_settings` merge them."""

    model_config = ConfigDict(extra="forbid")
    #: A Jinja template of one line; or a subject file beside the body, the catalog's
    #: ``subject:``, or (a template without metadata) the body's ``<title>``.
    subject: str = ""
    description: str = ""
    #: ``jinja`` renders the files with Jinja2; ``none`` ships them as they are (static, or filled
    #: by the email service: merge tags stay). Default: the catalog's.
    language: Literal["jinja", "none"] | None = None
    #: A registered renderer by name; default: by the file's extension, or the catalog's.
    renderer: str | None = None
    #: Merge-tag syntaxes the email service fills (``handlebars``, ``mailchimp``, ``brackets``,
    #: ``percent``): left in place, reported as notes. Default: all of them with ``language: none``.
    merge_tags: list[Literal["handlebars", "mailchimp", "brackets", "percent"]] | None = None
    #: Send guards (registered by the project); any not met -> "not sent" for that fixture. After
    #: the catalog's; ``"!name"`` drops the catalog's guard ``name`` for this template.
    requires: list[str] = []
    locales: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    #: Rule -> ``{}``, its options or ``false``; an entry of another kind is reported with the
    #: rule's options when the engine checks them (one error naming the file and the rule).
    rules: dict[str, Any] = {}
    strings: dict[str, dict[str, str]] = {}
    screenshots: ScreenshotSettings | None = None
    #: The message's headers (``from``, ``reply_to``, ``to``, ``kind``, ``headers``...) over the
    #: catalog's ``message:``; see ``harness.message.settings``.
    message: MessageSettings | None = None

    @field_validator("locales")
    @classmethod
    def _locale_codes(cls, value: list[str]) -> list[str]:
        return _locale_codes(value)


def _locale_codes(value: list[str] | None) -> list[str] | None:
    bad = [v for v in value or [] if not LOCALE.fullmatch(v)]
    if bad:
        raise ValueError(f"not locale codes: {bad}; use codes such as 'en', 'de', 'pt_BR'")
    return value


class CatalogSettings(BaseModel):
    """``templates/_catalog.yaml``: defaults for every template, and the layout of the tree.
    Every key of a template's metadata may be set here (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid")
    default_locale: str = "en"
    #: Where templates, subjects, text parts, metadata and partials are (see ``catalog.layout``).
    layout: LayoutSettings = LayoutSettings()
    #: Defaults of the metadata keys of the same name (see :class:`TemplateMeta`).
    subject: str | None = None
    description: str = ""
    merge_tags: list[Literal["handlebars", "mailchimp", "brackets", "percent"]] | None = None
    #: Send guards every template runs first.
    requires: list[str] = []
    #: Locales of every template that names none (default: the default locale).
    locales: list[str] | None = Field(None, min_length=1)
    #: Strings by locale every template sees as ``t``; a template's own add to them and win.
    strings: dict[str, dict[str, str]] = {}
    #: Variables every template sees, e.g. the product's name, support address and URLs.
    context: dict[str, Any] = {}
    #: The rules every template runs; without ``rules:`` (or without ``_catalog.yaml``), these.
    #: (An entry that is not ``{}``, options or ``false`` is reported where rule options are checked.)
    rules: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_RULES))
    screenshots: ScreenshotSettings = ScreenshotSettings()
    #: The headers of every template's message, its sending domains and DKIM signing; without
    #: it (and without a template's own ``message:``) no message is built.
    message: CatalogMessageSettings | None = None
    language: Literal["jinja", "none"] = "jinja"
    renderer: str | None = None
    #: A fixture in a locale a template does not offer gets its first locale, and a finding of
    #: this severity (``error`` makes every translation gap fail).
    locale_fallback: Literal["note", "warning", "error"] = "note"

    @field_validator("locales")
    @classmethod
    def _locale_codes(cls, value: list[str] | None) -> list[str] | None:
        return _locale_codes(value)

    @field_validator("requires")
    @classmethod
    def _plain_guards(cls, value: list[str]) -> list[str]:
        if any(name.startswith("!") for name in value):
            raise ValueError("'!name' drops a catalog-wide guard in a template's own requires:; here, list guards to run")
        return value


@dataclass(frozen=True)
class Template:
    """One email template of the catalog and the files beside it."""

    #: The template's name: its path in the catalog without extension (``billing/invoice_paid``).
    name: str
    #: The template file: ``NAME.mjml``, ``NAME.html`` or one a registered renderer claims.
    source_path: Path
    #: Its metadata (``NAME.yaml`` merged over ``_catalog.yaml``): ``subject``, ``requires``, ``rules``...
    meta: TemplateMeta
    #: The hand-written text part (``NAME.txt``), or None: derived from the HTML.
    text_path: Path | None = None
    #: The metadata file, or None for a bare template (subject from its title).
    meta_path: Path | None = None
    #: The subject file the layout found beside the body (``NAME.subject.txt``...), or None.
    subject_path: Path | None = None
    #: sha256 of the template's own files, recorded in each snapshot's manifest.
    files_hash: str = ""
    #: The renderer by name: ``mjml``, ``html`` or a registered one.
    renderer: str = "mjml"
    #: ``jinja`` or ``none`` (shipped as is).
    language: str = "jinja"

    @property
    def merge_tags(self) -> list[str]:
        """Merge-tag syntaxes left for the email service (see ``TemplateMeta.merge_tags``)."""
        if self.meta.merge_tags is not None:
            return list(self.meta.merge_tags)
        return ["handlebars", "mailchimp", "brackets", "percent"] if self.language == "none" else []

    def catalog_path(self, path: Path) -> str:
        """The body or a file beside it (``path``) as Jinja's loader names it: from the
        catalog, posix (``billing/invoice_paid.txt``)."""
        return (PurePosixPath(self.name).parent / path.name).as_posix()

    def __repr__(self) -> str:
        # What a plugin author needs to tell templates apart, without the machine's folders.
        return f"Template(name={self.name!r}, file={self.source_path.name!r}, renderer={self.renderer!r}, language={self.language!r})"

    @property
    def is_static(self) -> bool:
        """Whether it has no metadata file (``NAME.yaml``). The body is still rendered by its
        renderer (Jinja for ``.html``); the subject comes from a subject file, the catalog or the
        ``<title>``."""
        return self.meta_path is None

    def locale_for(self, fixture_locale: str) -> str:
        """The fixture's locale where the template has it, else its language as gettext and
        Babel fall back (``de_DE`` or ``de-DE`` -> ``de``), else the template's first locale."""
        if fixture_locale in self.meta.locales:
            return fixture_locale
        language = language_of(fixture_locale)
        return language if language in self.meta.locales else self.meta.locales[0]


def language_of(locale: str) -> str:
    """The language of a locale code: ``de`` of ``de_DE``, ``de-DE`` or ``de``."""
    return re.split(r"[-_]", locale, maxsplit=1)[0]


@dataclass(frozen=True)
class Catalog:
    root: Path
    settings: CatalogSettings
    templates: dict[str, Template]
    errors: dict[str, CatalogError] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return sorted({*self.templates, *self.errors})

    def rules_for(self, template: Template) -> dict[str, dict[str, Any]]:
        """Rule id -> options: catalog defaults overlaid by the template's own ``rules:``. A
        template's ``ignore`` entries add to the catalog's: they are exceptions, not settings."""
        merged: dict[str, dict[str, Any]] = {}
        for source in (self.settings.rules, template.meta.rules):
            for rule_id, options in source.items():
                if options is False:
                    merged.pop(rule_id, None)
                    continue
                own = options if isinstance(options, dict) else {}
                before = merged.get(rule_id, {})
                merged[rule_id] = {**before, **own}
                if isinstance(before.get("ignore"), list) and isinstance(own.get("ignore"), list):
                    merged[rule_id]["ignore"] = [*before["ignore"], *own["ignore"]]
        return merged

    def screenshot_settings(self, template: Template) -> ScreenshotSettings:
        """Catalog defaults overlaid by the fields the template's ``screenshots:`` sets."""
        own = template.meta.screenshots
        if own is None:
            return self.settings.screenshots
        return self.settings.screenshots.model_copy(update={k: getattr(own, k) for k in own.model_fields_set})

    def message_settings(self, template: Template) -> CatalogMessageSettings | None:
        """The catalog's ``message:`` with the template's over it (``headers`` key by key), or None:
        neither declares a message."""
        if self.settings.message is None and template.meta.message is None:
            return None
        return (self.settings.message or CatalogMessageSettings()).for_template(template.meta.message)


def load_catalog(root: Path) -> Catalog:
    """Every template of ``root``. Call it after the project's plugins are loaded: a registered
    renderer may claim file extensions."""
    from ..render.renderers import renderer_for_extension

    if not root.is_dir():
        raise CatalogError(f"catalog folder {root} does not exist; pass --catalog DIR")
    settings_path = root / "_catalog.yaml"
    settings = CatalogSettings()
    if settings_path.is_file():
        settings = _validate(CatalogSettings, _read_yaml(settings_path), settings_path)
    claimed = renderer_for_extension()
    layout = settings.layout
    found = discover(root, layout)
    templates: dict[str, Template] = {}
    errors: dict[str, CatalogError] = {}
    sources = {rel: path for rel, path in found.files.items() if rel not in found.partials and path.suffix in claimed}
    for rel in found.referenced & set(sources):
        # Extended or included by another file: a layout or a partial, unless it is an email too.
        if all(layout.companion(kind, sources[rel]) is None for kind in ("subject", "text", "metadata")):
            del sources[rel]
    partials = found.partials | found.referenced
    # The files the layout gives each body: they are not templates of their own.
    companions: dict[str, str] = {}
    for rel, path in sources.items():
        for kind in ("subject", "text", "metadata"):
            for companion in layout.companions(kind, path):  # a second one is its template's error, not a template
                companions.setdefault(companion.relative_to(root).as_posix(), rel)
    by_name: dict[str, str] = {}
    unknown_keys: list[str] = []
    for rel, path in sources.items():
        if rel in companions:
            continue  # NAME.subject.html is NAME's subject, not an email
        name = rel.removesuffix(path.suffix)
        try:
            if name in by_name:
                raise CatalogError(f"{path}: two templates named {name!r} ({Path(by_name[name]).name} too); rename one")
            by_name[name] = rel
            templates[name] = _load_template(path, name, settings, claimed[path.suffix])
        except CatalogError as exc:
            templates.pop(name, None)
            errors[name] = exc
        except ConfigError as exc:  # an unknown metadata key: every file's, then the run stops
            unknown_keys.append(str(exc))
    if unknown_keys:
        raise ConfigError("\n".join(unknown_keys))
    for rel in found.linked_folders:
        if is_partial(f"{rel}/-", layout.partials):
            continue  # a folder of partials (_partials, or one a glob names): its files are never emails
        errors.setdefault(rel, CatalogError(f"{root / rel}: a symbolic link to a folder; the catalog does not follow it. "
                                            "Copy the folder in, or list it under layout: partials: if it holds no emails"))
    for rel, path in found.files.items():
        if rel in by_name.values() or rel in companions or rel in partials or rel == "_catalog.yaml":
            continue
        if path.suffix.lower() in NOT_TEMPLATES or path.suffix in claimed and rel.removesuffix(path.suffix) in errors:
            continue
        name = rel.removesuffix(path.suffix)
        if path.suffix in (".yaml", ".yml", ".txt", ".text"):
            problem = (f"{path}: no template {path.stem}.mjml or {path.stem}.html beside it, nor a body the layout pairs it "
                       f"with ({_layout_summary(layout)}); rename it, add the template, or list it under layout: partials: "
                       "in _catalog.yaml")
        else:
            problem = (f"{path}: not a template: no renderer claims {path.suffix or 'files without an extension'} "
                       "(built in: .mjml, .html); register one (see the README), move the file out of the catalog, "
                       "or list it under layout: partials: in _catalog.yaml")
        errors.setdefault(name, CatalogError(problem))
    return Catalog(root, settings, templates, errors)


def _layout_summary(layout: LayoutSettings) -> str:
    return "; ".join(f"{kind} {', '.join(getattr(layout, kind))}" for kind in ("subject", "text", "metadata"))


#: Files a catalog may hold beside its templates: documentation, and assets that relative URLs
#: in templates point at (the screenshot page serves them from the catalog).
NOT_TEMPLATES = frozenset(".md .rst .png .jpg .jpeg .gif .svg .webp .ico .css .woff .woff2 .ttf .otf .pdf".split())

_TITLE_OPEN = re.compile(r"<(?:mj-)?title>", re.I)
_TITLE_CLOSE = re.compile(r"</(?:mj-)?title>", re.I)


def _title(source: str) -> str:
    """The text of the first ``<title>`` or ``<mj-title>`` that is closed, else "".

    Two plain searches, each one pass over the source: one lazy pattern (``<title>(.*?)</title>``)
    retried at every opening tag is quadratic, minutes on 400 KB of unclosed ``<title>`` tags.
    The first closing tag after the first opening one is the same match that pattern finds.
    """
    opening = _TITLE_OPEN.search(source)
    closing = _TITLE_CLOSE.search(source, opening.end()) if opening else None
    return source[opening.end():closing.start()].strip() if opening and closing else ""


def _load_template(source_path: Path, name: str, settings: CatalogSettings, renderer: str) -> Template:
    if not TEMPLATE.fullmatch(name):
        raise CatalogError(f"{source_path}: template names may use letters, digits, '_', '-', '.' only, in folders "
                           f"of such names at most 8 deep, each starting with a letter or digit: rename {name!r}")
    layout = settings.layout
    for kind in ("subject", "text", "metadata"):
        found = layout.companions(kind, source_path)
        if len(found) > 1:
            words = {"subject": "subject file", "text": "text part", "metadata": "metadata file"}[kind]
            raise CatalogError(f"{source_path}: template {name!r} has {len(found)} {words}s, {' and '.join(p.name for p in found)}; "
                               f"keep one (_catalog.yaml layout: {kind}: lists the names tried: {', '.join(getattr(layout, kind))})")
    meta_path = layout.companion("metadata", source_path)
    text_path = layout.companion("text", source_path)
    subject_path = layout.companion("subject", source_path)
    for path in (source_path, meta_path, text_path, subject_path):
        if path is not None and not path.resolve().is_relative_to(source_path.parent.resolve()):
            raise CatalogError(f"{path}: resolves outside the catalog (a symlink?); copy the file in instead")
    source = _read_text(source_path)
    data = _read_yaml(meta_path) if meta_path is not None else {}
    own = _validate(TemplateMeta, data, meta_path) if meta_path is not None else TemplateMeta()
    meta = _with_defaults(own, settings, meta_path or source_path)
    if subject_path is not None:
        if "subject" in own.model_fields_set:
            raise CatalogError(f"{meta_path}: subject: and {subject_path.name} both give the subject; keep one")
        meta = meta.model_copy(update={"subject": _read_text(subject_path).strip()})
    elif "subject" not in own.model_fields_set and settings.subject is None:
        if meta_path is not None:
            raise CatalogError(f"{meta_path}: field subject: Field required (or a {layout.subject[0].replace('{name}', source_path.stem)} "
                               "file beside the template, or a catalog-wide subject: in _catalog.yaml)")
        # A bare template is static: subject from <mj-title> or <title>.
        meta = meta.model_copy(update={"subject": _title(source)})
    if meta_path is None and settings.locales is None:
        meta = meta.model_copy(update={"locales": [settings.default_locale]})
    digest = hashlib.sha256()
    for path in (source_path, meta_path, text_path, subject_path):
        if path is not None and path.is_file():
            digest.update(path.name.encode() + b"\0" + normalized(path.read_bytes()))  # a CRLF file hashes as its LF twin
    return Template(
        name=name,
        source_path=source_path,
        meta=meta,
        text_path=text_path,
        meta_path=meta_path,
        subject_path=subject_path,
        files_hash=digest.hexdigest(),
        renderer=meta.renderer or settings.renderer or renderer,
        language=meta.language or settings.language,
    )


def merged_requires(catalog: list[str], own: list[str]) -> list[str]:
    """The guards a template runs: the catalog's first (less those ``"!name"`` drops), then its own."""
    requires = [name for name in catalog if f"!{name}" not in own]
    return requires + [name for name in own if not name.startswith("!") and name not in requires]


def _with_defaults(own: TemplateMeta, settings: CatalogSettings, where: Path) -> TemplateMeta:
    """``own`` over the catalog's defaults: a key the template sets wins (``requires`` and
    ``strings`` extend the catalog's); ``rules`` and ``screenshots`` stay its own."""
    given = own.model_fields_set
    update: dict[str, Any] = {}
    for key in ("subject", "description", "merge_tags", "locales"):
        default = getattr(settings, key)
        if key not in given and default is not None and default != "":
            update[key] = list(default) if isinstance(default, list) else default
    unknown = [name for name in own.requires if name.startswith("!") and name[1:] not in settings.requires]
    if unknown:
        raise CatalogError(f"{where}: requires: {', '.join(unknown)} drops a catalog-wide guard, but _catalog.yaml "
                           f"requires: {settings.requires} has no {', '.join(repr(n[1:]) for n in unknown)}")
    update["requires"] = merged_requires(settings.requires, own.requires)
    if settings.strings:
        locales = [*settings.strings, *(locale for locale in own.strings if locale not in settings.strings)]
        update["strings"] = {locale: {**settings.strings.get(locale, {}), **own.strings.get(locale, {})} for locale in locales}
    return own.model_copy(update=update)


def _read_text(path: Path) -> str:
    return read_text(path, CatalogError)


def _read_yaml(path: Path) -> Any:
    return read_yaml(path, CatalogError) or {}


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    """``data`` as ``model``. An unknown key (a typo: ``subjet:``) is a :class:`ConfigError` naming
    the file, line, key and the closest known key, so that the run stops before any case, as it
    does for ``_catalog.yaml``; other problems are the file's :class:`CatalogError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        unknown = [e for e in errors if e["type"] == "extra_forbidden"]
        if unknown:
            raise ConfigError("\n".join(_unknown_key(model, [str(p) for p in e["loc"]], path) for e in unknown)) from None
        problems = "; ".join(f"field {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        raise CatalogError(f"{path}: {problems}") from None


def _unknown_key(model: type[BaseModel], loc: list[str], path: Path) -> str:
    """``templates/welcome.yaml:2: unknown key 'subjet'; did you mean 'subject'? (keys: ...)``."""
    line = next((found for end in range(len(loc), 0, -1) if (found := key_line(path, *loc[:end])) is not None), None)
    where = f"{path}:{line}" if line else str(path)
    owner = _model_at(model, loc[:-1])
    known = sorted(owner.model_fields) if owner is not None else []
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{where}: unknown key {'.'.join(loc)!r}{hint}" + (f" (keys here: {', '.join(known)})" if known else "")


def _model_at(model: type[BaseModel], keys: list[str]) -> type[BaseModel] | None:
    """The model of the mapping at ``keys`` under ``model`` (``["screenshots"]`` ->
    ScreenshotSettings), or None where it is no model (a dict of rules, a list)."""
    for key in keys:
        field_info = model.model_fields.get(key)
        if field_info is None:
            return None
        candidates = [field_info.annotation, *get_args(field_info.annotation)]
        found = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if found is None:
            return None
        model = found
    return model
