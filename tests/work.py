"""Bounds on work instead of the clock: what a piece of code was handed to process, recorded, so that a test can
say "the HTML parser never saw more than 5,000 tags" or "no regex ran on more than one line" and fail on any
machine when that breaks, busy or not. How long the same inputs take is measured by ``manage.py bench``
(``ankasam_site/bench_inputs.py``)."""
from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from types import ModuleType
from unittest import mock

import nh3


@contextmanager
def parser_inputs(*, parse_at_most: int | None = None):
    """Every text handed to the HTML parser behind the sanitiser (``nh3.clean``) inside the block, in order.

    A text with more than ``parse_at_most`` "<" is recorded and not parsed (an empty result), so that a test of
    the bound fails at once when the bound breaks, instead of spending minutes in the parser first.
    """
    seen: list[str] = []
    real_clean = nh3.clean

    def clean(text, *args, **kwargs):
        seen.append(text)
        if parse_at_most is not None and text.count("<") > parse_at_most:
            return ""
        return real_clean(text, *args, **kwargs)

    with mock.patch("publishing.text.nh3.clean", clean):
        yield seen


class _RecordingPattern:
    """A compiled regex that notes the length of every string it is run on."""

    def __init__(self, pattern: re.Pattern, lengths: list[int]) -> None:
        self._pattern, self._lengths = pattern, lengths

    def __getattr__(self, name):
        attribute = getattr(self._pattern, name)
        if name not in {"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}:
            return attribute

        def run(*args, **kwargs):
            text = args[1] if name in {"sub", "subn"} else args[0]
            self._lengths.append(len(text))
            return attribute(*args, **kwargs)

        return run


@contextmanager
def regex_inputs(*modules: ModuleType):
    """The lengths of the strings that the module-level compiled regexes of ``modules`` ran on inside the block."""
    lengths: list[int] = []
    proxies: dict[int, _RecordingPattern] = {}
    with ExitStack() as stack:
        for module in modules:
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    proxy = proxies.setdefault(id(value), _RecordingPattern(value, lengths))
                    stack.enter_context(mock.patch.object(module, name, proxy))
        yield lengths
