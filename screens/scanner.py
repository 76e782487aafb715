"""Recognising a USB QR scanner's keystrokes wherever keys are read.

The scanner types the label's payload (``INSP1:CP:…``) and presses Enter, like a keyboard. The app feeds every key
to :class:`ScanBuffer` before normal handling. A key that could start a payload (``I``, ``IN``, ``INS``) is held
back; once ``INSP`` has been seen the rest is collected until Enter (a scan) or Escape (cancelled). When the held
keys turn out not to be a payload they are handed back, in order, to normal handling — so typing "IN" into a
filter still works, and a person may type a payload slowly by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "INSP"


@dataclass(frozen=True)
class HeldKey:
    key: str
    character: str | None


@dataclass
class Outcome:
    """What to do with a key: ``replay`` keys go to normal handling (this key last, when not consumed);
    ``scanned`` is a complete payload; ``cancelled`` a dropped one."""

    consumed: bool
    replay: list[HeldKey] = field(default_factory=list)
    scanned: str | None = None
    cancelled: bool = False


class ScanBuffer:
    """The state machine of one keyboard stream."""

    def __init__(self) -> None:
        self._held: list[HeldKey] = []
        self._text = ""

    @property
    def scanning(self) -> bool:
        """A payload has been recognised and is being collected."""
        return self._text.startswith(PREFIX)

    @property
    def holding(self) -> bool:
        return bool(self._held)

    @property
    def text(self) -> str:
        return self._text

    def flush(self) -> list[HeldKey]:
        """Give back the held keys (after a pause, when they were a person's typing, not a scan prefix)."""
        if self.scanning:
            return []
        held, self._held, self._text = self._held, [], ""
        return held

    def feed(self, key: str, character: str | None) -> Outcome:
        if self.scanning:
            if key == "enter":
                text, self._held, self._text = self._text, [], ""
                return Outcome(True, scanned=text)
            if key == "escape":
                self._held, self._text = [], ""
                return Outcome(True, cancelled=True)
            if key == "backspace":
                self._text = self._text[:-1] if len(self._text) > len(PREFIX) else self._text
                return Outcome(True)
            if character and character.isprintable():
                self._text += character
            return Outcome(True)
        candidate = self._text + (character or "")
        if character and len(character) == 1 and PREFIX.startswith(candidate):
            self._held.append(HeldKey(key, character))
            self._text = candidate
            return Outcome(True)
        held, self._held, self._text = self._held, [], ""
        return Outcome(False, replay=held)
