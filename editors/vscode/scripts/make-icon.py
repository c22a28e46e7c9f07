"""Draws images/icon.png (128x128): a note page with text lines and a
highlighted term, on a rounded square. Pure Python (zlib), no imaging
library; rerun to change the icon."""

import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND = (32, 76, 92)
PAGE = (250, 248, 240)
LINE = (150, 160, 170)
TERM = (240, 170, 60)


def inside_rounded(x, y, x0, y0, x1, y1, r):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def color(x, y):
    px, py = x + 0.5, y + 0.5
    if not inside_rounded(px, py, 0, 0, SIZE, SIZE, 22):
        return (0, 0, 0, 0)
    if inside_rounded(px, py, 30, 18, 98, 110, 6):
        # Text lines; the second one carries a highlighted term.
        for top, left, right in ((34, 40, 88), (50, 40, 82), (66, 40, 88), (82, 40, 70)):
            if top <= py < top + 7 and left <= px < right:
                if top == 50 and 56 <= px < 82:
                    return TERM + (255,)
                return LINE + (255,)
        return PAGE + (255,)
    return BACKGROUND + (255,)


def png(width, height, pixel):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


out = Path(__file__).resolve().parent.parent / "images" / "icon.png"
out.write_bytes(png(SIZE, SIZE, color))
print(f"wrote {out}")
