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
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["VERSION", "direction", "images", "overflow", "text_boxes"]

# Shared by every probe (prepended inside its function): naming, visible text, hidden elements.
_HELPERS = r"""
const fold = (s) => (s || '').replace(/\s+/g, ' ').trim();
const cut = (s) => { s = fold(s); return s.length > 60 ? s.slice(0, 59) + '…' : s; };
const ownText = (el) => [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join(' ');
// The step a designer can find: tag, first class, and a position only when it is ambiguous.
function step(el) {
  let s = el.tagName.toLowerCase() + (el.classList.length ? '.' + CSS.escape(el.classList[0]) : '');
  const same = el.parentElement ? [...el.parentElement.children].filter((c) => c.tagName === el.tagName) : [];
  return same.length > 1 ? `${s}:nth-of-type(${same.indexOf(el) + 1})` : s;
}
function pathOf(el) {
  const steps = [];
  for (let e = el; e; e = e.parentElement) {
    if (e.id) { steps.push('#' + CSS.escape(e.id)); break; }
    steps.push(step(e));
    if (e === document.body) break;
  }
  return steps.slice(0, 5).reverse().join(' > ');
}
const named = (el) => ({ element: pathOf(el), text: cut(el.innerText) });
// Hidden: no box, invisible, or under an ancestor that hides it without display:none, as MJML's
// preheader does (opacity 0, max-height 0): the reader never sees that text.
const veiledCache = new Map();
function veiled(el) {
  if (!el || el === document.documentElement) return false;
  if (!veiledCache.has(el)) {
    const cs = getComputedStyle(el);
    veiledCache.set(el, cs.display === 'none' || cs.opacity === '0' || cs.maxHeight === '0px' || veiled(el.parentElement));
  }
  return veiledCache.get(el);
}
function hidden(el) {
  const r = el.getBoundingClientRect();
  return r.width === 0 || r.height === 0 || getComputedStyle(el).visibility !== 'visible' || veiled(el);
}
"""

_OVERFLOW = r"""
const W = window.innerWidth, sx = window.scrollX;
const wide = document.documentElement.scrollWidth > W;
// Containers whose content box holds their children's boxes (a row or an inline does not).
const CONTAINER = /^(block|flow-root|list-item|inline-block|table-cell|table-caption)$/;
const range = document.createRange();
// What cannot shrink, and how wide it is (0: it can): a fixed width (not a percentage), text
// that may not wrap, or a word wider than the whole room. Auto table layout grows a table to fit
// such content, so the table sticks out but the cause is inside it.
function rigid(el, room) {
  const w = (el.style.width || el.getAttribute('width') || '').trim();
  if (/^[0-9.]+(px)?$/.test(w)) return el.getBoundingClientRect().width;
  const nowrap = /^(nowrap|pre)$/.test(getComputedStyle(el).whiteSpace);
  let widest = 0;
  for (const n of el.childNodes) {
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
  const width = Math.round(el.getBoundingClientRect().width);
  found.push({ el, escapes, kind, by: Math.round(kind === 'wider-than-viewport' ? past : by), width });
};
for (const el of document.body.querySelectorAll('*')) {
  if (hidden(el)) continue;
  const cs = getComputedStyle(el), r = el.getBoundingClientRect();
  // Content wider than its own box: a word that cannot wrap. Scrolling boxes are meant to.
  let content = 0, from = r.left + sx, to = r.right + sx;
  if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !/auto|scroll/.test(cs.overflowX)) {
    content = el.scrollWidth - el.clientWidth;
    const inner = r.left + sx + el.clientLeft;  // content overflows on the end side
    if (cs.direction === 'rtl') from = inner + el.clientWidth - el.scrollWidth; else to = inner + el.scrollWidth;
  }
  // The box sticks out of its container's content box (a fixed width wider than its column).
  const parent = el.parentElement, ps = getComputedStyle(parent);
  if (!/absolute|fixed/.test(cs.position) && CONTAINER.test(ps.display)) {
    const p = parent.getBoundingClientRect();
    const inL = p.left + parseFloat(ps.borderLeftWidth) + parseFloat(ps.paddingLeft);
    const inR = p.right - parseFloat(ps.borderRightWidth) - parseFloat(ps.paddingRight);
    const out = Math.max(r.right - inR, inL - r.left), clips = ps.overflowX !== 'visible';
    if (out > 1 && out >= content) {
      // Inside a box that grew, the rigid things past the edge, the widest ones: the long
      // name in a nowrap cell, not the short amounts its column pushed out with it.
      const inside = rigid(el, inR - inL) ? [] : [...el.querySelectorAll('*')].map((d) => {
        const b = d.getBoundingClientRect();
        return { d, size: (b.right > inR + 1 || b.left < inL - 1) && !hidden(d) ? rigid(d, inR - inL) : 0 };
      }).filter((c) => c.size > 0);
      const most = Math.max(0, ...inside.map((c) => c.size));
      const big = inside.filter((c) => c.size >= most / 2).map((c) => c.d);
      const causes = big.filter((d) => !big.some((o) => o !== d && d.contains(o)));
      for (const c of causes.length ? causes : [el]) {
        const b = c.getBoundingClientRect();
        report(c, true, clips, Math.max(b.right - inR, inL - b.left), b.left + sx, b.right + sx);
      }
      continue;
    }
  }
  if (content > 1) report(el, false, cs.overflowX !== 'visible', content, from, to);
}
// Deepest culprits: content overflow in a box that holds another culprit is that culprit's
// (a long word makes its cell, row and section overflow too); a box that sticks out on its own
// (a 700px table) stays, whatever happens inside it.
const deepest = found.filter((f, i) => found.findIndex((g) => g.el === f.el) === i
  && (f.escapes || !found.some((g) => g.el !== f.el && f.el.contains(g.el))));
const kept = [...deepest].sort((a, b) => b.by - a.by).slice(0, 10);
return deepest.filter((f) => kept.includes(f)).map((f) => ({ kind: f.kind, ...named(f.el), by: f.by, width: f.width }));
"""

_DIRECTION = r"""
const rtl = arg;
const out = [];
const add = (kind, el, detail) => out.push({ kind, ...named(el), detail });
// Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko, ... and presentation forms).
const RTL = /(?=\p{L})[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/gu;
const mostlyRtl = (s) => { const n = (s.match(RTL) || []).length; return n > 0 && 2 * n > (s.match(/\p{L}/gu) || []).length; };
const isolated = (el) => el && el.closest('[dir="ltr" i], [dir="auto" i], bdi');
// Where a wrong direction comes from: the outermost ltr element above, to fix it once.
function source(el) {
  while (el.parentElement && getComputedStyle(el.parentElement).direction === 'ltr') el = el.parentElement;
  return el.tagName.toLowerCase() === 'html' ? 'html' : pathOf(el);
}
if (rtl) {
  for (const el of [document.documentElement, document.body]) {
    const d = getComputedStyle(el).direction;
    if (d !== 'rtl') add('document-ltr', el, `<${el.tagName.toLowerCase()}> runs left to right (direction: ${d})`);
  }
  for (const table of document.querySelectorAll('table')) {
    // Its own dir="ltr" is the mistake; one on an ancestor marks deliberately isolated content.
    if (getComputedStyle(table).direction === 'ltr' && !isolated(table.parentElement) && !hidden(table))
      add('table-ltr', table, `table runs left to right (direction: ltr from ${source(table)})`);
  }
}
// Digits in several groups, perhaps with a sign or currency: the tokens bidi can reorder.
const TOKEN = /(?:[+€$£¥₪]\s?)?[0-9A-Za-z][0-9A-Za-z.,:\/\-]*(?:[ \u00a0][0-9A-Za-z.,:\/\-€$£¥₪]+)*/g;
const range = document.createRange();
for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
  const nodes = [...el.childNodes].filter((n) => n.nodeType === 3 && n.data.trim());
  if (!nodes.length || hidden(el)) continue;
  const cs = getComputedStyle(el);
  if (cs.display !== 'inline' && mostlyRtl(ownText(el))) {
    if (cs.direction === 'ltr' && !el.closest('[dir="auto" i], bdi'))
      add('block-ltr', el, `right-to-left text runs left to right (direction: ltr from ${source(el)})`);
    // A table cell aligns with its column: a column of numbers aligns at its end, the left in
    // right to left, and its heading with it. Only text blocks must not be ragged on the wrong side.
    else if (cs.direction === 'rtl' && /left$/.test(cs.textAlign) && !['TD', 'TH'].includes(el.tagName))
      add('align-left', el, `right-to-left text aligned left (text-align: ${cs.textAlign})`);
  }
  // Reordering is measured everywhere, never assumed from styles: a number after Arabic letters
  // flips even in a left-to-right paragraph, and an isolated one is only fine if it shows so.
  for (const node of nodes) {
    for (const m of node.data.matchAll(TOKEN)) {
      // From the first group with a digit to the last (a sign or currency before, a currency
      // after), so the words around a number are not part of it; a full stop after it is not.
      const groups = [...m[0].matchAll(/[^ \u00a0]+/g)];
      let a = groups.findIndex((g) => /[0-9]/.test(g[0])), z = groups.findLastIndex((g) => /[0-9]/.test(g[0]));
      if (a < 0) continue;
      if (a > 0 && /^[+€$£¥₪]$/.test(groups[a - 1][0])) a--;
      if (z + 1 < groups.length && /^[€$£¥₪]$/.test(groups[z + 1][0])) z++;
      const start = m.index + groups[a].index;
      const token = m[0].slice(groups[a].index, groups[z].index + groups[z][0].length).replace(/[.,:\/\-]+$/, '');
      if (token.replace(/\s/g, '').length < 2) continue;
      const chars = [];
      for (let i = 0; i < token.length; i++) {
        if (/\s/.test(token[i])) continue;
        range.setStart(node, start + i);
        range.setEnd(node, start + i + 1);
        const b = range.getBoundingClientRect();
        if (b.width > 0) chars.push({ c: token[i], left: b.left, right: b.right, top: b.top });
      }
      const tops = chars.map((c) => c.top);
      if (chars.length < 2 || Math.max(...tops) - Math.min(...tops) > 2) continue;  // wrapped: no single order
      if (chars.every((c, i) => i === 0 || c.left >= chars[i - 1].left - 0.5)) continue;
      const seen = [...chars].sort((a, b) => a.left - b.left)
        .map((c, i, all) => (i && c.left - all[i - 1].right > 1 ? ' ' : '') + c.c).join('');
      add('reordered', el, `'${token}' shows as '${seen}'`);
    }
  }
}
return out;
"""

_IMAGES = r"""
const images = [...document.images].map((img) => {
  const r = img.getBoundingClientRect();
  return { element: pathOf(img), src: img.getAttribute('src') || '', alt: img.getAttribute('alt'),
           width: Math.round(r.width), height: Math.round(r.height), visible: !hidden(img) };
});
// innerText is the text as rendered (no hidden text, no alt text): what the reader gets.
return { images, text: fold(document.body.innerText) };
"""

_TEXT_BOXES = r"""
const sx = window.scrollX, sy = window.scrollY;
const pageW = document.documentElement.scrollWidth, pageH = document.documentElement.scrollHeight;
const range = document.createRange();
const out = [];
for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
  const nodes = [...el.childNodes].filter((n) => n.nodeType === 3 && n.data.trim());
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


def _run(page: Any, body: str, arg: Any = None) -> Any:
    # One function per call: the helpers live inside it, so nothing is left on the email's window.
    return page.evaluate(f"(arg) => {{\n{_HELPERS}\n{body}\n}}", arg)


def overflow(page: Any) -> list[dict[str, Any]]:
    """Up to 10 boxes whose text does not fit (the largest, in page order): ``{"kind":
    "wider-than-viewport" | "overflows-box" | "clipped", "element", "text", "by": px past the
    window or box, "width": px of the named box}``."""
    return _run(page, _OVERFLOW)


def direction(page: Any, rtl: bool) -> list[dict[str, Any]]:
    """Right-to-left mistakes, ``{"kind", "element", "text", "detail"}``: ``document-ltr`` and
    ``table-ltr`` (only when ``rtl``), ``block-ltr``, ``align-left`` and ``reordered`` (always)."""
    return _run(page, _DIRECTION, rtl)


def images(page: Any) -> dict[str, Any]:
    """``{"images": [{"element", "src", "alt" (None if absent), "width", "height", "visible"}],
    "text": the live text as rendered}``, for a page loaded with images blocked."""
    return _run(page, _IMAGES)


def text_boxes(page: Any) -> list[dict[str, Any]]:
    """Per visible element with its own text: ``{"element", "text", "x", "y", "width", "height",
    "large"}``, the box of that text in page pixels, and whether WCAG counts it as large."""
    return _run(page, _TEXT_BOXES)
