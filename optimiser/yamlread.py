"""Reading a YAML file within limits: never a device, never unbounded, never exponential.

A scenario is edited by hand and may come from anywhere; a 540-byte "billion laughs" alias
bomb, `/dev/zero` or 100,000 nested brackets must each get one message (optimiser/limits.py),
not gigabytes of memory or a RecursionError. The depth and the size with aliases expanded are
counted on parser events (nothing built) before the document is composed and constructed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from optimiser import limits
from optimiser.data.rawcsv import kind_of
from optimiser.errors import InputError, InputIssue

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when installed (30 times faster on a 10,000-constraint file), else pure Python."""


def fail(name: str, message: str, line: int | None = None) -> InputError:
    """One issue, as an InputError."""
    return InputError([InputIssue(name, line, None, None, message)])


def read_text(path: Path) -> str:
    """The file's text, at most limits.SCENARIO_KB of it.

    Only regular files are read: a FIFO is never opened (it would block), a device such as
    /dev/zero never ends. The file is opened non-blocking and checked again, in case it was
    swapped between the two looks.
    """
    name, limit = str(path), limits.SCENARIO_KB.value * 1024
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as file:
                mode = os.fstat(file.fileno()).st_mode
                data = file.read(limit + 1) if stat.S_ISREG(mode) else b""
    except OSError as exc:
        raise fail(name, f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        raise fail(name, f"not a regular file: {kind_of(mode)}; a scenario is a YAML file")
    if len(data) > limit:
        raise fail(name, limits.SCENARIO_KB.message(f"more than {limit // 1024:,} KB"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(name, f"cannot read: not UTF-8 ({exc.reason} at byte {exc.start})") from exc


class _Shape:
    """Depth and expanded size of a YAML event stream, counted without expanding aliases.

    Each open collection keeps (anchor, nodes before it, height of its tallest child); an
    anchored node's size and height are remembered when it closes, so an alias costs one
    addition however large the node it repeats (a billion laughs is refused after a few
    hundred events instead of building 10^9 nodes).
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.open: list[list] = []
        self.sizes: dict[str, tuple[int, int]] = {}
        self.depth_limit, self.node_limit = limits.YAML_DEPTH.value, limits.YAML_NODES.value

    def problem(self, event: yaml.Event) -> str | None:
        """Feed one event; the message when the document is past a limit or recursive."""
        kind = type(event)
        height = 0  # levels the event reaches; a scalar adds none to its open collections
        if kind is yaml.ScalarEvent:
            self.nodes += 1
            if event.anchor is not None:
                self.sizes[event.anchor] = (1, 0)
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            self.nodes += 1
            self.open.append([event.anchor, self.nodes - 1, 0])
            height = len(self.open)
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            anchor, before, tallest = self.open.pop()
            if anchor is not None:
                self.sizes[anchor] = (self.nodes - before, tallest + 1)
            if self.open:
                self.open[-1][2] = max(self.open[-1][2], tallest + 1)
        elif kind is yaml.AliasEvent:
            if any(entry[0] == event.anchor for entry in self.open):
                return f"alias *{event.anchor} repeats a node that contains it"
            size, tall = self.sizes.get(event.anchor, (1, 0))
            self.nodes += size
            if self.open:
                self.open[-1][2] = max(self.open[-1][2], tall)
            height = len(self.open) + tall
        if height > self.depth_limit:
            return limits.YAML_DEPTH.message()
        if self.nodes > self.node_limit:
            return limits.YAML_NODES.message()
        return None


def load_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree, after checking its depth and expanded size.

    The check reads parser events (iterative, nothing is built); only a document within the
    limits is composed, once, and constructed from that node tree.
    """
    try:
        shape = _Shape()
        for event in yaml.parse(text, Loader=_LOADER):
            problem = shape.problem(event)
            if problem is not None:
                raise fail(name, problem, event.start_mark.line + 1)
        loader = _LOADER(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in problem:  # libyaml's own limit (1,000) may come first
            problem = limits.YAML_DEPTH.message()
        raise fail(name, f"not valid YAML: {problem}", line) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise fail(name, f"not valid YAML: {str(exc).split(';')[0]}") from exc
    except RecursionError as exc:  # last resort: the checks above should make it unreachable
        raise fail(name, "not valid YAML: nested too deeply") from exc
    return data, root


def node_lines(root: yaml.Node) -> tuple[dict[tuple, int], list[tuple[tuple, int]]]:
    """The 1-based line of every key and item, and keys given twice.

    Walks the tree with an explicit stack: after load_yaml's checks it is at most
    limits.YAML_NODES nodes even with aliases expanded, and never deeper than the limit.
    """
    lines: dict[tuple, int] = {}
    dupes: list[tuple[tuple, int]] = []
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    dupes.append((loc + (key,), key_node.start_mark.line + 1))
                seen.add(key)
                lines[loc + (key,)] = key_node.start_mark.line + 1
                stack.append((value_node, loc + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, loc + (index,)) for index, item in enumerate(node.value))
    return lines, dupes


def read_yaml(path: Path | str) -> Any:  # noqa: ANN401 - any YAML document
    """A scenario file's YAML document, read within the limits (no validation)."""
    path = Path(path)
    return load_yaml(read_text(path), str(path))[0]
