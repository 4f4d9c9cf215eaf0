"""Alphabetical order as a reader of each language expects it, from ICU's collation rules (CLDR).

Python compares code points, which puts "Çelik" after "Zeki" and "Ёлкин" before "Абрамов". Turkish has its own
letters in their own places (C < Ç, G < Ğ, I < İ, O < Ö, S < Ş, U < Ü, and dotless ı before i); Russian puts Ё with
Е. Sorting happens in Python because SQLite has no such collations, so both databases give the same order.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import icu


@functools.lru_cache(maxsize=None)
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


def collation_key(language: str) -> Callable[[str], bytes]:
    """A sort key function for ``language``: ``sorted(names, key=collation_key("tr"))``."""
    collator = _collator(language)
    return lambda text: collator.getSortKey(text or "")
