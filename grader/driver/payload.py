"""Payloads: the bytes a step sends or expects, built from text, hex, seeded random and repeats."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Replace {client} and {iteration} (those defined here); other braces stay as written.

    Plain replacement rather than str.format: payloads are often JSON, full of braces.
    """
    for name, value in variables.items():
        text = text.replace("{" + name + "}", value)
    return text


def materialise(payload: Any, variables: Mapping[str, str]) -> bytes:
    """The bytes of a scenario payload: a UTF-8 string, {hex}, {random}, {repeat} or a list."""
    if isinstance(payload, str):
        return substitute(payload, variables).encode("utf-8")
    if isinstance(payload, list):
        return b"".join(materialise(part, variables) for part in payload)
    if isinstance(payload, dict):
        if "hex" in payload:
            # bytes.fromhex skips the whitespace that the spec allows between byte pairs.
            return bytes.fromhex(str(payload["hex"]))
        if "random" in payload:
            spec = payload["random"]
            size = int(spec["size"])
            if size < 0:
                raise ValueError(f"a random payload needs a size of 0 or more, not {size}")
            return random.Random(int(spec.get("seed", 0))).randbytes(size)
        if "repeat" in payload:
            times = int(payload.get("times", 1))
            return substitute(str(payload["repeat"]), variables).encode("utf-8") * times
    raise ValueError(f"not a payload: {payload!r}")


def fragments(total: int, chunks: int | list[int] | None) -> Iterator[int]:
    """Fragment sizes adding up to total: n gives n-byte pieces; a list gives sizes, the last
    one repeating; None gives one piece."""
    if total <= 0:
        return
    sizes = [total] if chunks is None else [chunks] if isinstance(chunks, int) else list(chunks)
    if not sizes or any(int(size) <= 0 for size in sizes):
        raise ValueError(f"chunks must be positive sizes, not {chunks!r}")
    remaining = total
    index = 0
    while remaining > 0:
        piece = min(int(sizes[min(index, len(sizes) - 1)]), remaining)
        yield piece
        remaining -= piece
        index += 1
