"""Bidirectional text: names people type are shown isolated, and never hold the invisible
controls that turn the text around them (a right-to-left override, U+202E, makes the app's
own word "Leadership" beside a name read "pihsredaeL").

`refuse_bidi_controls` is the validator of every name and title a form or the import takes in;
pages isolate names with <bdi>, and SVG text with `isolated` (U+2068 … U+2069).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

# The embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).
BIDI_CONTROLS = frozenset(chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def bidi_controls_in(value: str) -> list[str]:
    """The controls the text holds, each once, as code points: ["U+202E"]."""
    found = sorted({ch for ch in value if ch in BIDI_CONTROLS})
    return [f"U+{ord(ch):04X}" for ch in found]


def bidi_control_message(codes: list[str]) -> str:
    marks = ", ".join(codes)
    return (
        f"This text holds an invisible direction control ({marks}) that would turn the words "
        "around it backwards. Remove it (retyping the text does) and try again."
    )


def refuse_bidi_controls(value: str) -> None:
    """Validator: refuse text holding a bidirectional control character."""
    codes = bidi_controls_in(value or "")
    if codes:
        raise ValidationError(bidi_control_message(codes), code="bidi_control")


def isolated(value: str) -> str:
    """The text between U+2068 and U+2069, so that it cannot reorder what stands beside it
    (for SVG text, where <bdi> does not exist)."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
