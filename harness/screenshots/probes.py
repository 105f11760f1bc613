"""Probes: facts measured inside the browser on a rendered email, for the rules that judge layout.

Each function takes a Playwright page with JavaScript on, the email loaded and the viewport set,
runs one ``page.evaluate`` (``add_script_tag`` is blocked by the page's content security policy;
DevTools evaluation is not) and returns plain JSON data. They run in the browser because what
they judge exists only there: computed styles (CSS, ``dir``, MJML's inline ``direction`` and media
queries all resolved) and layout (where boxes and glyphs actually land).

- :func:`overflow`: text that does not fit: the email wider than the window, content sticking
  out of its box, or cut off by ``overflow: hidden``; the deepest culprit only.
- :func:`direction`: right-to-left done right: document, tables and blocks of Arabic or Hebrew
  text run right to left, are not aligned left, and multi-part numbers (phones, dates, amounts)
  keep their order on screen, measured from where each character is drawn.
- :func:`images`: the images and the live text a reader sees with images off.
- :func:`text_boxes`: where each element's own text is drawn, in page coordinates, for the
  contrast measured from the screenshot's pixels (``contrast.low_contrast``).

Every element is named by a short CSS path (up to its nearest id or <body>, last 5 steps) and its
visible text cut to 60 characters, so a designer can find it in the HTML.

:func:`axe` runs axe-core the same way. Everything runs in the harness's own world of the page
(:mod:`.world`), out of reach of the email's named elements (DOM clobbering); a check the email
still breaks raises :class:`PageScriptError` naming the email's elements that hide DOM
properties, never a browser failure.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import ScreenshotError
from .world import ScriptError, World, world_of

__all__ = ["VERSION", "PageScriptError", "axe", "direction", "images", "overflow", "run", "text_boxes"]


class PageScriptError(ScreenshotError):
    """A check of the harness threw on this email's DOM: the email's fault or the check's, never
    the browser's (which is not restarted for it)."""

# Shared by every probe (prepended inside its function): naming, visible text, hidden elements.
_HELPERS = r"""
// The email's named elements shadow DOM properties: <img name="createRange"> is
// document.createRange, <img name="images"> is document.images, and a form control named
// "parentElement" is its form's parentElement (measured: each made a probe throw, the last one
// recurse until the stack ran out). So the DOM is read through its prototypes, which are the
// browser's own (the email's scripts never run). Globals (getComputedStyle, CSS, JSON, Math)
// and the helpers below cannot be shadowed: named elements sit below them on window.
const getter = (proto, k) => { const f = Object.getOwnPropertyDescriptor(proto, k).get; return (o) => f.call(o); };
const method = (proto, k) => { const f = proto[k]; return (o, ...a) => f.apply(o, a); };
const parentOf = getter(Node.prototype, 'parentElement'), nodesOf = getter(Node.prototype, 'childNodes');
const kidsOf = getter(Element.prototype, 'children'), tagOf = getter(Element.prototype, 'tagName');
const idOf = getter(Element.prototype, 'id'), classesOf = getter(Element.prototype, 'classList');
const rectOf = method(Element.prototype, 'getBoundingClientRect'), attrOf = method(Element.prototype, 'getAttribute');
const closestOf = method(Element.prototype, 'closest'), containsOf = method(Node.prototype, 'contains');
const allIn = (el) => Element.prototype.querySelectorAll.call(el, '*');
const scrollW = getter(Element.prototype, 'scrollWidth'), clientW = getter(Element.prototype, 'clientWidth');
const clientL = getter(Element.prototype, 'clientLeft');
const scrollH = getter(Element.prototype, 'scrollHeight'), clientH = getter(Element.prototype, 'clientHeight');
const innerTextOf = getter(HTMLElement.prototype, 'innerText'), htmlStyleOf = getter(HTMLElement.prototype, 'style');
const textOf = (el) => (el instanceof HTMLElement ? innerTextOf(el) : undefined);  // none on <svg>
const styleOf = (el) => (el instanceof HTMLElement ? htmlStyleOf(el) : el.style);
const root = getter(Document.prototype, 'documentElement')(document), body = getter(Document.prototype, 'body')(document);
const newRange = () => Document.prototype.createRange.call(document);
const fold = (s) => (s || '').replace(/\s+/g, ' ').trim();
const cut = (s) => { s = fold(s); return s.length > 60 ? s.slice(0, 59) + '…' : s; };
const ownText = (el) => [...nodesOf(el)].filter((n) => n.nodeType === 3).map((n) => n.data).join(' ');
// The step a designer can find: tag, first class, and a position only when it is ambiguous.
// Positions are counted once per parent: counting the siblings for each element is quadratic,
// and a list of 5,000 siblings took 19 s in text_boxes (50,000 would take half an hour).
const nth = new Map();  // element -> [its position among the siblings of its tag, how many]
function step(el) {
  const classes = classesOf(el);
  const s = tagOf(el).toLowerCase() + (classes.length ? '.' + CSS.escape(classes[0]) : '');
  const parent = parentOf(el);
  if (!parent) return s;
  if (!nth.has(el)) {
    const count = new Map(), seen = new Map();
    for (const c of kidsOf(parent)) count.set(tagOf(c), (count.get(tagOf(c)) || 0) + 1);
    for (const c of kidsOf(parent)) {
      const k = (seen.get(tagOf(c)) || 0) + 1;
      seen.set(tagOf(c), k);
      nth.set(c, [k, count.get(tagOf(c))]);
    }
  }
  const [k, of] = nth.get(el);
  return of > 1 ? `${s}:nth-of-type(${k})` : s;
}
// The last 5 steps, up to the nearest id or <body>: no need to climb further (400 levels deep).
function pathOf(el) {
  const steps = [];
  for (let e = el; e && steps.length < 5; e = parentOf(e)) {
    if (idOf(e)) { steps.push('#' + CSS.escape(idOf(e))); break; }
    steps.push(step(e));
    if (e === body) break;
  }
  return steps.reverse().join(' > ');
}
const namedCache = new Map();  // innerText is as long as the element: once per element
const named = (el) => {
  if (!namedCache.has(el)) namedCache.set(el, { element: pathOf(el), text: cut(textOf(el)) });
  return { ...namedCache.get(el) };
};
// Hidden: no box, invisible, or under an ancestor that hides it without display:none, as MJML's
// preheader does (opacity 0, max-height 0): the reader never sees that text.
const veiledCache = new Map();
function veiled(el) {
  if (!el || el === root) return false;
  if (!veiledCache.has(el)) {
    const cs = getComputedStyle(el);
    veiledCache.set(el, cs.display === 'none' || cs.opacity === '0' || cs.maxHeight === '0px' || veiled(parentOf(el)));
  }
  return veiledCache.get(el);
}
function hidden(el) {
  const r = rectOf(el);
  return r.width === 0 || r.height === 0 || getComputedStyle(el).visibility !== 'visible' || veiled(el);
}
// Every ancestor of the given elements (linear: a walk stops where an earlier one passed).
function ancestors(els) {
  const above = new Set();
  for (const el of els) for (let e = parentOf(el); e && !above.has(e); e = parentOf(e)) above.add(e);
  return above;
}
"""

_OVERFLOW = r"""
const W = window.innerWidth, sx = window.scrollX;
const wide = scrollW(root) > W;
// Containers whose content box holds their children's boxes (a row or an inline does not).
const CONTAINER = /^(block|flow-root|list-item|inline-block|table-cell|table-caption)$/;
const range = newRange();
// What cannot shrink, and how wide it is (0: it can): a fixed width (not a percentage), text
// that may not wrap, or a word wider than the whole room. Auto table layout grows a table to fit
// such content, so the table sticks out but the cause is inside it.
function rigid(el, room) {
  const w = ((styleOf(el) || {}).width || attrOf(el, 'width') || '').trim();
  if (/^[0-9.]+(px)?$/.test(w)) return rectOf(el).width;
  const nowrap = /^(nowrap|pre)$/.test(getComputedStyle(el).whiteSpace);
  let widest = 0;
  for (const n of nodesOf(el)) {
    if (n.nodeType !== 3) continue;
    for (const m of n.data.matchAll(nowrap ? /\S(.*\S)?/gs : /\S+/g)) {
      range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
      widest = Math.max(widest, range.getBoundingClientRect().width);
    }
  }
  return nowrap || widest > room ? widest : 0;
}
const found = [];
const report = (el, escapes, clips, by, from, to) => {
  const past = Math.max(to - W, -from);
  const kind = clips ? 'clipped' : wide && past > 1 ? 'wider-than-viewport' : 'overflows-box';
  const width = Math.round(rectOf(el).width);
  found.push({ el, escapes, kind, by: Math.round(kind === 'wider-than-viewport' ? past : by), width });
};
for (const el of allIn(body)) {
  if (hidden(el)) continue;
  const cs = getComputedStyle(el), r = rectOf(el);
  // Content wider than its own box: a word that cannot wrap. A scrolling box counts too (its
  // text is cut as a table in it is, below: the screenshot and most mail clients show no
  // scrollbar); text cut on purpose with an ellipsis does not.
  let content = 0, from = r.left + sx, to = r.right + sx;
  const ellipsis = cs.textOverflow === 'ellipsis' && cs.overflowX !== 'visible';
  if (clientW(el) > 0 && scrollW(el) > clientW(el) + 1 && !ellipsis) {
    content = scrollW(el) - clientW(el);
    const inner = r.left + sx + clientL(el);  // content overflows on the end side
    if (cs.direction === 'rtl') from = inner + clientW(el) - scrollW(el); else to = inner + scrollW(el);
  }
  // The box sticks out of its container's content box (a fixed width wider than its column).
  const parent = parentOf(el), ps = getComputedStyle(parent);
  if (!/absolute|fixed/.test(cs.position) && CONTAINER.test(ps.display)) {
    const p = rectOf(parent);
    const inL = p.left + parseFloat(ps.borderLeftWidth) + parseFloat(ps.paddingLeft);
    const inR = p.right - parseFloat(ps.borderRightWidth) - parseFloat(ps.paddingRight);
    const out = Math.max(r.right - inR, inL - r.left), clips = ps.overflowX !== 'visible';
    if (out > 1 && out >= content) {
      // Inside a box that grew, the rigid things past the edge, the widest ones: the long
      // name in a nowrap cell, not the short amounts its column pushed out with it.
      const inside = rigid(el, inR - inL) ? [] : [...allIn(el)].map((d) => {
        const b = rectOf(d);
        return { d, size: (b.right > inR + 1 || b.left < inL - 1) && !hidden(d) ? rigid(d, inR - inL) : 0 };
      }).filter((c) => c.size > 0);
      const most = inside.reduce((m, c) => Math.max(m, c.size), 0);  // no spread: 10^5 arguments overflow the stack
      const big = inside.filter((c) => c.size >= most / 2).map((c) => c.d);
      const holding = ancestors(big);
      const causes = big.filter((d) => !holding.has(d));
      for (const c of causes.length ? causes : [el]) {
        const b = rectOf(c);
        report(c, true, clips, Math.max(b.right - inR, inL - b.left), b.left + sx, b.right + sx);
      }
      continue;
    }
  }
  if (content > 1) report(el, false, cs.overflowX !== 'visible', content, from, to);
  // Text cut at the bottom: a fixed height with overflow hidden (a button whose label wraps to
  // a second line in a longer language). Hidden blocks (max-height: 0) were skipped above.
  const deep = scrollH(el) - clientH(el);
  if (clientH(el) > 0 && deep > 1 && !/visible|auto|scroll/.test(cs.overflowY) && !ellipsis)
    found.push({ el, escapes: false, kind: 'clipped-height', by: Math.round(deep), width: Math.round(r.width), height: Math.round(r.height) });
}
// Deepest culprits: content overflow in a box that holds another culprit is that culprit's
// (a long word makes its cell, row and section overflow too); a box that sticks out on its own
// (a 700px table) stays, whatever happens inside it. Linear (sets, not a search per culprit):
// 10,000 culprits took 6 s.
const holding = ancestors(found.map((f) => f.el)), once = new Set();
const deepest = found.filter((f) => !once.has(f.el) && once.add(f.el) && (f.escapes || !holding.has(f.el)));
const kept = new Set([...deepest].sort((a, b) => b.by - a.by).slice(0, 10));
return deepest.filter((f) => kept.has(f)).map((f) => ({ kind: f.kind, ...named(f.el), by: f.by, width: f.width, ...(f.height ? { height: f.height } : {}) }));
"""

_DIRECTION = r"""
const rtl = arg;
// Bounds for hostile or huge fixtures, far above a real email (the bundled snapshots, both
// widths: at most 2 problems, 12 tokens, the longest 119 characters, 107 characters measured).
// Unbounded, 200 KB of "1 2 3 ..." in Arabic text ran past 150 s (a range per character), the
// same in English threw (a spread of 40,000 arguments), and 5,000 phone numbers in one Arabic
// paragraph took 41 s. Past a bound the rule just sees fewer problems.
const MAX_PROBLEMS = 100;   // then stop: the rule has enough to say
const MAX_TOKEN = 200;      // characters: a longer run is no number a reader reads as one
const MAX_MEASURED = 20000; // characters measured in all; later numbers are not measured
let measured = 0;
const out = [];
const add = (kind, el, detail) => out.push({ kind, ...named(el), detail });
// Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko, ... and presentation forms).
const RTL = /(?=\p{L})[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/gu;
const mostlyRtl = (s) => { const n = (s.match(RTL) || []).length; return n > 0 && 2 * n > (s.match(/\p{L}/gu) || []).length; };
const isolated = (el) => el && closestOf(el, '[dir="ltr" i], [dir="auto" i], bdi');
// Where a wrong direction comes from: the outermost ltr element above, to fix it once.
function source(el) {
  while (parentOf(el) && getComputedStyle(parentOf(el)).direction === 'ltr') el = parentOf(el);
  return tagOf(el).toLowerCase() === 'html' ? 'html' : pathOf(el);
}
if (rtl) {
  for (const el of [root, body]) {
    const d = getComputedStyle(el).direction;
    if (d !== 'rtl') add('document-ltr', el, `<${tagOf(el).toLowerCase()}> runs left to right (direction: ${d})`);
  }
  for (const table of allIn(body)) {
    if (tagOf(table) !== 'TABLE' || out.length >= MAX_PROBLEMS) continue;
    // Its own dir="ltr" is the mistake; one on an ancestor marks deliberately isolated content.
    if (getComputedStyle(table).direction === 'ltr' && !isolated(parentOf(table)) && !hidden(table))
      add('table-ltr', table, `table runs left to right (direction: ltr from ${source(table)})`);
  }
}
// Digits in several groups, perhaps with a sign or currency: the tokens bidi can reorder.
const TOKEN = /(?:[+€$£¥₪]\s?)?[0-9A-Za-z][0-9A-Za-z.,:\/\-]*(?:[ \u00a0][0-9A-Za-z.,:\/\-€$£¥₪]+)*/g;
const range = newRange();
for (const el of [body, ...allIn(body)]) {
  if (out.length >= MAX_PROBLEMS) break;
  const nodes = [...nodesOf(el)].filter((n) => n.nodeType === 3 && n.data.trim());
  if (!nodes.length || hidden(el)) continue;
  const cs = getComputedStyle(el);
  if (cs.display !== 'inline' && mostlyRtl(ownText(el))) {
    // Only in a right-to-left email: in a left-to-right one, an Arabic name in an English
    // sentence is a value to isolate (bidi-isolation, the bdi filter), not a block to turn.
    if (rtl && cs.direction === 'ltr' && !closestOf(el, '[dir="auto" i], bdi'))
      add('block-ltr', el, `right-to-left text runs left to right (direction: ltr from ${source(el)})`);
    // A table cell aligns with its column: a column of numbers aligns at its end, the left in
    // right to left, and its heading with it. Only text blocks must not be ragged on the wrong side.
    else if (cs.direction === 'rtl' && /left$/.test(cs.textAlign) && !['TD', 'TH'].includes(tagOf(el)))
      add('align-left', el, `right-to-left text aligned left (text-align: ${cs.textAlign})`);
  }
  // Reordering is measured everywhere, never assumed from styles: a number after Arabic letters
  // flips even in a left-to-right paragraph, and an isolated one is only fine if it shows so.
  for (const node of nodes) {
    if (measured >= MAX_MEASURED) break;
    for (const m of node.data.matchAll(TOKEN)) {
      if (measured >= MAX_MEASURED || out.length >= MAX_PROBLEMS) break;
      // From the first group with a digit to the last (a sign or currency before, a currency
      // after), so the words around a number are not part of it; a full stop after it is not.
      // A group ending in a comma or semicolon ends an item ("2026, 9:00"): items in a list
      // follow the reading direction, each keeping its own order, which is measured below.
      const segments = [[]];
      for (const g of m[0].matchAll(/[^ \u00a0]+/g)) {
        segments[segments.length - 1].push(g);
        if (/[,;]$/.test(g[0])) segments.push([]);
      }
      for (const groups of segments) {
        if (!groups.length) continue;
        let a = groups.findIndex((g) => /[0-9]/.test(g[0])), z = groups.findLastIndex((g) => /[0-9]/.test(g[0]));
        if (a < 0) continue;
        if (a > 0 && /^[+€$£¥₪]$/.test(groups[a - 1][0])) a--;
        if (z + 1 < groups.length && /^[€$£¥₪]$/.test(groups[z + 1][0])) z++;
        const start = m.index + groups[a].index;
        let token = m[0].slice(groups[a].index, groups[z].index + groups[z][0].length);
        // Trailing punctuation off, in a loop: /[.,:\/\-]+$/ backtracks quadratically (35 s on 50,000 dots).
        let e = token.length;
        while (e > 0 && '.,:/-'.includes(token[e - 1])) e--;
        token = token.slice(0, e);
        if (token.replace(/\s/g, '').length < 2 || token.length > MAX_TOKEN) continue;
        const chars = [];
        let top = Infinity, bottom = -Infinity;
        for (let i = 0; i < token.length; i++) {
          if (/\s/.test(token[i])) continue;
          range.setStart(node, start + i);
          range.setEnd(node, start + i + 1);
          const b = range.getBoundingClientRect();
          measured++;
          if (b.width > 0) {
            chars.push({ c: token[i], left: b.left, right: b.right, top: b.top });
            top = Math.min(top, b.top); bottom = Math.max(bottom, b.top);
            if (bottom - top > 2) break;
          }
        }
        if (chars.length < 2 || bottom - top > 2) continue;  // wrapped: no single order
        if (chars.every((c, i) => i === 0 || c.left >= chars[i - 1].left - 0.5)) continue;
        const seen = [...chars].sort((a, b) => a.left - b.left)
          .map((c, i, all) => (i && c.left - all[i - 1].right > 1 ? ' ' : '') + c.c).join('');
        add('reordered', el, `'${token}' shows as '${seen}'`);
      }
    }
  }
}
return out;
"""

_IMAGES = r"""
const images = [...Document.prototype.getElementsByTagName.call(document, 'img')].map((img) => {
  const r = rectOf(img);
  return { element: pathOf(img), src: attrOf(img, 'src') || '', alt: attrOf(img, 'alt'),
           width: Math.round(r.width), height: Math.round(r.height), visible: !hidden(img),
           // A blocked image's box is its alt text's; the size it was declared with is its place.
           declared: [parseInt(attrOf(img, 'width'), 10) || 0, parseInt(attrOf(img, 'height'), 10) || 0] };
});
// innerText is the text as rendered (no hidden text, no alt text): what the reader gets.
return { images, text: fold(textOf(body)) };
"""

_TEXT_BOXES = r"""
const sx = window.scrollX, sy = window.scrollY;
const pageW = scrollW(root), pageH = getter(Element.prototype, 'scrollHeight')(root);
const range = newRange();
const out = [];
for (const el of [body, ...allIn(body)]) {
  const nodes = [...nodesOf(el)].filter((n) => n.nodeType === 3 && n.data.trim());
  if (!nodes.length || hidden(el)) continue;
  const cs = getComputedStyle(el), size = parseFloat(cs.fontSize);
  if (size < 1) continue;
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const node of nodes) {
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {  // one per line; collapsed spaces give empty ones
      if (r.width < 1 || r.height < 1) continue;
      x1 = Math.min(x1, r.left + sx); y1 = Math.min(y1, r.top + sy);
      x2 = Math.max(x2, r.right + sx); y2 = Math.max(y2, r.bottom + sy);
    }
  }
  // Clipped to the page, which is what the full-page screenshot holds.
  x1 = Math.max(0, x1); y1 = Math.max(0, y1); x2 = Math.min(pageW, x2); y2 = Math.min(pageH, y2);
  if (!(x2 - x1 >= 1 && y2 - y1 >= 1)) continue;
  const x = Math.floor(x1), y = Math.floor(y1);
  // WCAG "large scale": 18 pt, or 14 pt (18.66 px) bold.
  const large = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight, 10) >= 700);
  out.push({ ...named(el), x, y, width: Math.ceil(x2) - x, height: Math.ceil(y2) - y, large });
}
return out;
"""

#: Changes whenever a measurement does, so stored facts are reused only if measured the same way.
VERSION = hashlib.sha256("".join((_HELPERS, _OVERFLOW, _DIRECTION, _IMAGES, _TEXT_BOXES)).encode()).hexdigest()[:12]


# Elements whose name or id hides a DOM property, of document (the main world's) or of their
# form (every world's): what a check that throws on an email's DOM most likely tripped on. Listed
# in the error, up to 5. Which elements name what: the HTML standard's named properties.
_SUSPECTS = r"""
const out = [];
const byId = (v) => Document.prototype.getElementById.call(document, v);
for (const el of Document.prototype.querySelectorAll.call(document, '[name], [id]')) {
  const tag = tagOf(el), ref = attrOf(el, 'form');
  const form = /^(BUTTON|FIELDSET|INPUT|OBJECT|OUTPUT|SELECT|TEXTAREA|IMG)$/.test(tag) && (ref !== null && tag !== 'IMG' ? byId(ref) : closestOf(el, 'form'));
  for (const attr of ['name', 'id']) {
    const v = attrOf(el, attr);
    if (!v || out.length >= 5) continue;
    const onDocument = attr === 'name' ? /^(EMBED|FORM|IFRAME|IMG|OBJECT)$/.test(tag) : tag === 'OBJECT' || (tag === 'IMG' && !!attrOf(el, 'name'));
    const where = onDocument && v in Document.prototype ? 'document' : form && tagOf(form) === 'FORM' && v in HTMLFormElement.prototype ? 'its form' : '';
    if (where) out.push(`<${tag.toLowerCase()} ${attr}="${cut(v)}"> (${pathOf(el)}) hides ${where}.${cut(v)}`);
  }
}
return out;
"""


def run(target: Any, body: str, arg: Any = None, *, check: str) -> Any:
    """The value ``body`` (a JavaScript function body, the helpers in scope, ``arg`` its
    argument) returns, run in the harness's world of ``target`` (a page or its :class:`World`);
    :class:`PageScriptError` naming ``check`` and the email's suspicious elements if it throws."""
    # One function per call: the helpers live inside it, so nothing is left in the world.
    # The result comes back as one JSON string: serializing each returned object apart cost
    # ~0.4 ms per object (measured: 20,000 text boxes took 7.9 s, as JSON 0.24 s). The probes
    # return only strings, finite numbers, booleans and null, which JSON keeps as is.
    expression = f"((arg) => JSON.stringify((() => {{\n{_HELPERS}\n{body}\n}})()))({json.dumps(arg)})"
    world = world_of(target)
    try:
        return json.loads(world.evaluate(expression))
    except ScriptError as exc:
        raise _blame(world, check, exc) from None


def _blame(world: World, check: str, exc: ScriptError) -> PageScriptError:
    """The error for a check that threw: what it threw, and the elements that likely made it."""
    try:
        suspects = json.loads(world.evaluate(f"JSON.stringify((() => {{\n{_HELPERS}\n{_SUSPECTS}\n}})())"))
    except ScriptError:
        suspects = []
    if suspects:
        cause = (f"; the email names elements after DOM properties, which hides those from scripts: "
                 f"{'; '.join(suspects)}: rename them")
    else:
        cause = "; no element of the email is named after a DOM property, so the check is at fault: please report it with this email"
    return PageScriptError(f"the in-browser check {check} failed on this email's DOM ({exc.first_line}){cause}")


# axe-core reads the DOM directly (node.nodeName, form.elements), so a control named after a
# property of its form (<input name="nodeName">) made it throw. While it runs, each such control
# is detached from its form by a form attribute naming no element, and an <img> in the form
# loses the name or id that hides a property (img is not form-associated); all is put back after,
# so the screenshot page, the probes and the email's own markup are untouched. axe-core does not
# judge a control's form owner, nor an image's name (tests/test_page_clobbering.py: the same
# results as the same email with innocent names; only the selector naming such an image differs).
_AXE = r"""
const setAttr = Element.prototype.setAttribute, removeAttr = Element.prototype.removeAttribute;
const elementsOf = getter(HTMLFormElement.prototype, 'elements');
const nowhere = 'email-harness-no-form-' + Math.random().toString(36).slice(2);
const undo = [];
const put = (el, attr, value) => { undo.push([el, attr, attrOf(el, attr)]); value === null ? removeAttr.call(el, attr) : setAttr.call(el, attr, value); };
// (Chromium does not list a form's named properties in its own keys: each control is asked.)
const hides = (v) => !!v && v in HTMLFormElement.prototype;
for (const form of [...Document.prototype.getElementsByTagName.call(document, 'form')]) {
  for (const el of [...elementsOf(form)]) if (hides(idOf(el)) || hides(attrOf(el, 'name'))) put(el, 'form', nowhere);
  for (const img of Element.prototype.querySelectorAll.call(form, 'img'))
    for (const attr of ['name', 'id']) if (hides(attrOf(img, attr))) put(img, attr, null);
}
try {
  return JSON.stringify(await axe.run(document, arg));
} finally {
  for (const [el, attr, value] of undo.reverse()) value === null ? removeAttr.call(el, attr) : setAttr.call(el, attr, value);
}
"""


def axe(target: Any, options: dict[str, Any]) -> dict[str, Any]:
    """axe-core's results on the page (``violations``, ``incomplete``, ... as ``options`` asks),
    from the copy bundled with axe-playwright-python, installed once per world."""
    from axe_playwright_python.base import AXE_SCRIPT

    world = world_of(target)
    try:
        world.install("axe-core", AXE_SCRIPT)
        # One async function: the email's forms are put back in the same turn axe-core finishes.
        expression = f"(async (arg) => {{\n{_HELPERS}\n{_AXE}\n}})({json.dumps(options)})"
        return json.loads(world.evaluate(expression, await_promise=True))
    except ScriptError as exc:
        raise _blame(world, "axe-core", exc) from None


def overflow(target: Any) -> list[dict[str, Any]]:
    """Up to 10 boxes whose text does not fit (the largest, in page order): ``{"kind":
    "wider-than-viewport" | "overflows-box" | "clipped", "element", "text", "by": px past the
    window or box, "width": px of the named box}``."""
    return run(target, _OVERFLOW, check="overflow")


def direction(target: Any, rtl: bool) -> list[dict[str, Any]]:
    """Right-to-left mistakes, ``{"kind", "element", "text", "detail"}``: ``document-ltr`` and
    ``table-ltr`` (only when ``rtl``), ``block-ltr``, ``align-left`` and ``reordered`` (always)."""
    return run(target, _DIRECTION, rtl, check="direction")


def images(target: Any) -> dict[str, Any]:
    """``{"images": [{"element", "src", "alt" (None if absent), "width", "height", "visible"}],
    "text": the live text as rendered}``, for a page loaded with images blocked."""
    return run(target, _IMAGES, check="images-off")


def text_boxes(target: Any) -> list[dict[str, Any]]:
    """Per visible element with its own text: ``{"element", "text", "x", "y", "width", "height",
    "large"}``, the box of that text in page pixels, and whether WCAG counts it as large."""
    return run(target, _TEXT_BOXES, check="text-boxes")
