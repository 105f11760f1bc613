"""Loops that ran empty: a compile-time rewrite of Jinja ``{% for %}`` nodes (rule ``empty-list``).

Jinja has no hook for "this loop ran zero times", but it has one for "run this when the loop ran
zero times": ``{% else %}``. So every loop the author did not plan to see empty gets an ``else``
branch that reports it to the render's :class:`~harness.render.recording.Recording`. A loop that
runs costs nothing more than before (Jinja sets one local flag per item when a loop has an
``else``); the report, which evaluates the iterable once more to say how many items it had, runs
only when the loop ran empty.

A loop counts as planned for empty, and is left alone, when:

- it has its own ``{% else %}``, even an empty one (:class:`KeepEmptyElse`);
- an enclosing ``{% if %}`` (any branch) tests the same value: ``{% if order.gift_cards %}``,
  ``{% if order.gift_cards|length > 1 %}``, ``{% if not items %}...{% else %}{% for %}``;
- any other test in the same file checks the value for emptiness: ``{% if not items %}<p>No
  items</p>{% endif %}`` beside the loop, ``{{ "none" if items|length == 0 }}``;
- it is ``recursive`` (a tree's leaves have no children by design) or iterates a literal or a
  global such as ``range()``.

And a loop counts only when the value it walks is empty: items that a filter
(``|selectattr("active")``) or an inline ``if`` all left out were left out on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from .recording import EmptyLoop, current_recording

__all__ = ["KeepEmptyElse", "instrument_loops", "loop_ran_empty"]

#: A for tag as written, from its opening ``{%`` to its ``%}`` (possibly over several lines).
_FOR_TAG = re.compile(r"\{%[-+]?\s*for\s(?:(?!\{%).)*?[-+]?%\}", re.DOTALL)  # stops at the next {%: linear
#: Its iterable: after `` in ``, before an inline `` if `` filter, `` recursive`` or the end.
_ITERABLE = re.compile(r"\sin\s+(.+?)(?:\s+if\s.+?)?(?:\s+recursive)?\s*[-+]?%\}\Z", re.DOTALL)
#: ``x|length`` and ``x|count`` say how many items ``x`` has.
_LENGTH_FILTERS = frozenset({"length", "count"})
#: A mapping's views: ``prices.items()`` is as empty as ``prices``.
_VIEWS = frozenset({"items", "keys", "values"})


class KeepEmptyElse(Extension):
    """``{% else %}{# nothing to show #}{% endfor %}`` is a plan for an empty list too, but Jinja
    parses an empty ``else`` as no ``else``. This gives such a branch an empty print
    (``{{ "" }}``), so the rewrite sees the author's ``else``; the output is the same."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        tokens = list(stream)
        for index, token in enumerate(tokens):
            yield token
            if token.type == "block_end" and index >= 2 and tokens[index - 1].test("name:else") and tokens[index - 2].type == "block_begin":
                after = index + 1
                while after < len(tokens) and tokens[after].type == "data" and not tokens[after].value.strip():
                    after += 1
                if after + 1 < len(tokens) and tokens[after].type == "block_begin" and tokens[after + 1].test("name:endfor"):
                    yield from (Token(token.lineno, "variable_begin", "{{"), Token(token.lineno, "string", ""),
                                Token(token.lineno, "variable_end", "}}"))


def loop_ran_empty(file: str, line: int, tag: str, expression: str, value: Any) -> str:
    """Called from a rewritten loop's ``else`` branch with the value under the loop's filters:
    record the loop for the render under way when that value is empty. A value with items that a
    filter or an inline ``if`` left none of was emptied on purpose."""
    found = current_recording()
    if found is not None:
        try:
            empty = len(value) == 0
        except TypeError:  # no length (a generator): the loop ran empty, nothing more is known
            empty = True
        if empty:
            found.loop_ran_empty(EmptyLoop(file=file, line=line, tag=tag, expression=expression))
    return ""


def instrument_loops(tree: nodes.Template, source: str, name: str | None, reserved: Iterable[str]) -> None:
    """Give every loop of ``tree`` that is not planned for empty an ``else`` that reports it.
    ``source`` is the template's text (for the tag as written), ``name`` its catalog name
    (None for a string template: a subject), ``reserved`` the environment's global names."""
    loops = {id(loop) for loop in tree.find_all(nodes.For) if not loop.else_ and not loop.recursive}
    if not loops:
        return
    globals_ = frozenset(reserved)
    guards = _enclosing_tests(tree)
    tests = [node.test for node in tree.find_all((nodes.If, nodes.CondExpr)) if node.test is not None]
    tags = _tags_by_line(source)
    seen_on_line: dict[int, int] = {}
    for loop in tree.find_all(nodes.For):  # document order, to match tags on one line
        index = seen_on_line[loop.lineno] = seen_on_line.get(loop.lineno, -1) + 1
        if id(loop) not in loops or not _iterates_data(loop.iter, globals_):
            continue
        targets = _targets(loop.iter)
        if any(_mentions(test, targets) for test in guards.get(id(loop), ())):
            continue
        if any(_tests_emptiness(test, targets) for test in tests):
            continue
        on_line = tags.get(loop.lineno, [])
        tag = " ".join(on_line[index].split()) if index < len(on_line) else "{% for ... %}"
        # The value itself, under filters and mapping views (``order.gift_cards`` of
        # ``order.gift_cards|selectattr("active")``): only its emptiness is reported.
        value, expression = targets[-1], _source_of(targets[-1])
        if expression is None:  # a call or an operation: named as the tag writes the iterable
            matched = _ITERABLE.search(tag)
            expression = " ".join(matched.group(1).split()) if matched else "the loop's iterable"
        report = nodes.Call(
            nodes.ImportedName(f"{__name__}.loop_ran_empty"),
            [nodes.Const(name or "subject"), nodes.Const(loop.lineno), nodes.Const(tag), nodes.Const(expression), value],
            [], None, None, lineno=loop.lineno,
        )
        loop.else_ = [nodes.ExprStmt(report, lineno=loop.lineno)]


def _tags_by_line(source: str) -> dict[int, list[str]]:
    """Line number -> the for tags that start on it, in order."""
    found: dict[int, list[str]] = {}
    for match in _FOR_TAG.finditer(source):
        found.setdefault(source.count("\n", 0, match.start()) + 1, []).append(match.group(0))
    return found


def _enclosing_tests(tree: nodes.Template) -> dict[int, list[nodes.Expr]]:
    """id(loop) -> the tests of the ``{% if %}``s around it (each branch sees every test of its
    chain: a loop in ``{% else %}`` of ``{% if not items %}`` is guarded too)."""
    found: dict[int, list[nodes.Expr]] = {}

    def walk(node: nodes.Node, tests: tuple[nodes.Expr, ...]) -> None:
        if isinstance(node, nodes.For):
            found[id(node)] = list(tests)
        if isinstance(node, nodes.If):
            inner = (*tests, node.test, *(branch.test for branch in node.elif_))
            for child in [*node.body, *node.else_, *(n for branch in node.elif_ for n in branch.body)]:
                walk(child, inner)
            return
        for child in node.iter_child_nodes():
            walk(child, tests)

    walk(tree, ())
    return found


def _iterates_data(expression: nodes.Expr, globals_: frozenset[str]) -> bool:
    """Whether a loop walks a value (a fixture's, a guard's, a macro argument), not a literal
    list or a global function's result (``range(3)``)."""
    root = expression
    while True:
        if isinstance(root, (nodes.Filter, nodes.Test)) and root.node is not None:
            root = root.node
        elif isinstance(root, nodes.Call):
            root = root.node
        elif isinstance(root, (nodes.Getattr, nodes.Getitem)):
            root = root.node
        else:
            break
    return isinstance(root, nodes.Name) and root.name not in globals_


def _targets(expression: nodes.Expr) -> list[nodes.Expr]:
    """The iterable and the value under its filters and its mapping views: a test of
    ``order.gift_cards`` guards ``order.gift_cards|sort(attribute="brand")`` and
    ``prices.items()``. Other method calls make a new value (``registration.summary()`` is
    not ``registration``)."""
    found = [expression]
    node = expression
    while True:
        if isinstance(node, nodes.Filter) and node.node is not None:
            node = node.node
        elif (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and node.node.attr in _VIEWS
              and not (node.args or node.kwargs or node.dyn_args or node.dyn_kwargs)):
            node = node.node.node
        else:
            return found
        found.append(node)


def _source_of(node: nodes.Expr) -> str | None:
    """``order.gift_cards``, ``account["orders"]``, ``rows[0].cells`` as text; None for other
    expressions (the tag's own text names those)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        inner = _source_of(node.node)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _source_of(node.node)
        return f"{inner}[{node.arg.value!r}]" if inner else None
    return None


def _mentions(test: nodes.Expr, targets: list[nodes.Expr]) -> bool:
    return any(node == target for node in [test, *test.find_all(nodes.Expr)] for target in targets)


def _tests_emptiness(test: nodes.Expr, targets: list[nodes.Expr]) -> bool:
    """``items``, ``not items``, ``items|length``, ``items|length == 0`` (or ``< 1``, ``>= 1``,
    ``> 0``, ...), anywhere in ``and``/``or``: the author thought of the empty case.
    ``items|length > 1`` (a plural) is not such a test."""
    if isinstance(test, (nodes.And, nodes.Or)):
        return _tests_emptiness(test.left, targets) or _tests_emptiness(test.right, targets)
    if isinstance(test, nodes.Not):
        return _tests_emptiness(test.node, targets)
    if _is_size_of(test, targets):
        return True
    if isinstance(test, nodes.Compare) and len(test.ops) == 1 and _is_size_of(test.expr, targets):
        operand = test.ops[0]
        limit = operand.expr.value if isinstance(operand.expr, nodes.Const) else None
        return limit == 0 or (limit == 1 and operand.op in ("lt", "gteq"))
    return False


def _is_size_of(node: nodes.Expr, targets: list[nodes.Expr]) -> bool:
    if any(node == target for target in targets):
        return True
    return isinstance(node, nodes.Filter) and node.name in _LENGTH_FILTERS and node.node is not None and any(node.node == t for t in targets)
