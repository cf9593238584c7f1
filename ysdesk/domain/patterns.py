"""Regular expressions compiled when first used.

A command imports the parsers of every input it might meet, and compiling their patterns at
import costs every run (the 完成时限 grammar alone takes 7 ms) whether or not the text they
parse ever comes. A pattern made here compiles on its first use and is then the compiled
pattern's own methods: later calls cost nothing extra.
"""

from __future__ import annotations

import re
from typing import AnyStr, cast

# What a module-level pattern is used for; each becomes the compiled pattern's own attribute.
_FORWARDED = (
    "match",
    "fullmatch",
    "search",
    "findall",
    "finditer",
    "sub",
    "subn",
    "split",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class _LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        # Called only while an attribute is missing: on the first use, which compiles.
        compiled = re.compile(*self._source)
        for attribute in _FORWARDED:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """re.compile, deferred to the pattern's first use."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))
