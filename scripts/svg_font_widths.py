#!/usr/bin/env python3
"""Print the advance-width table of partnerships/diagram/text_width.py from a font file.

    python scripts/svg_font_widths.py [/usr/share/fonts/truetype/dejavu]

Reads DejaVuSans.ttf and DejaVuSans-Bold.ttf (Debian's fonts-dejavu-core) with nothing but
the standard library: the 'head' table for the units per em, 'cmap' (format 4, the Basic
Multilingual Plane) for which glyph draws a character, 'hhea' and 'hmtx' for each glyph's
advance width. Prints the widths in thousandths of an em, one line per block of characters,
ready to paste into the table: each block is its first code point, then its widths in
strings of sixteen. Run once; the output is committed, not computed at run time.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

# The characters the table covers: printable ASCII, Latin-1, Latin Extended-A, Greek and
# Cyrillic, and the general punctuation names use (dashes, quotes, ellipsis).
BLOCKS = [(0x20, 0x7E), (0xA0, 0x17F), (0x370, 0x3FF), (0x400, 0x45F), (0x2010, 0x2027)]


def _tables(data: bytes) -> dict[str, tuple[int, int]]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        tables[tag.decode("latin-1")] = (offset, length)
    return tables


def _cmap(data: bytes, offset: int) -> dict[int, int]:
    """Character to glyph, from the (3, 1) Unicode BMP subtable in format 4."""
    count = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    for i in range(count):
        platform, encoding, sub = struct.unpack(
            ">HHI", data[offset + 4 + 8 * i : offset + 12 + 8 * i]
        )
        if (platform, encoding) == (3, 1):
            break
    else:
        raise ValueError("no Unicode BMP cmap")
    at = offset + sub
    if struct.unpack(">H", data[at : at + 2])[0] != 4:
        raise ValueError("cmap subtable is not format 4")
    segments = struct.unpack(">H", data[at + 6 : at + 8])[0] // 2
    ends_at = at + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments

    def word(base: int, i: int) -> int:
        return struct.unpack(">H", data[base + 2 * i : base + 2 * i + 2])[0]

    glyphs = {}
    for s in range(segments):
        end, start, delta, range_offset = (
            word(ends_at, s),
            word(starts_at, s),
            word(deltas_at, s),
            word(ranges_at, s),
        )
        for char in range(start, end + 1):
            if char == 0xFFFF:
                continue
            if range_offset == 0:
                glyph = (char + delta) & 0xFFFF
            else:
                glyph = word(ranges_at + 2 * s + range_offset, char - start)
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                glyphs[char] = glyph
    return glyphs


def advances(path: Path) -> dict[int, int]:
    """Each character's advance width in thousandths of an em (rounded up)."""
    data = path.read_bytes()
    tables = _tables(data)
    units = struct.unpack(">H", data[tables["head"][0] + 18 : tables["head"][0] + 20])[0]
    metrics = struct.unpack(">H", data[tables["hhea"][0] + 34 : tables["hhea"][0] + 36])[0]
    hmtx = tables["hmtx"][0]

    def advance(glyph: int) -> int:
        glyph = min(glyph, metrics - 1)
        return struct.unpack(">H", data[hmtx + 4 * glyph : hmtx + 4 * glyph + 2])[0]

    return {
        char: -(-advance(glyph) * 1000 // units)
        for char, glyph in _cmap(data, tables["cmap"][0]).items()
    }


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu")
    for name, path in (("REGULAR", "DejaVuSans.ttf"), ("BOLD", "DejaVuSans-Bold.ttf")):
        widths = advances(folder / path)
        print(f"{name} = _table(")
        for first, last in BLOCKS:
            row = [str(widths.get(c, 0)) for c in range(first, last + 1)]
            print(f"    0x{first:04X},")
            lines = [" ".join(row[at : at + 16]) for at in range(0, len(row), 16)]
            for i, line in enumerate(lines):
                print(f'    "{line} "' + ("," if i == len(lines) - 1 else ""))
        print(")")


if __name__ == "__main__":
    main()
