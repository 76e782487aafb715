"""The scan buffer: a label payload typed quickly (or slowly) then Enter is a scan; anything else passes through."""

from __future__ import annotations

from screens.scanner import ScanBuffer


def feed_text(buffer: ScanBuffer, text: str) -> list[object]:
    return [buffer.feed(ch if ch != ":" else "colon", ch) for ch in text]


def test_a_payload_then_enter_is_a_scan_and_nothing_leaks() -> None:
    buffer = ScanBuffer()
    outcomes = feed_text(buffer, "INSP1:CP:F1-CAST-FURN:1A2B")
    assert all(o.consumed and not o.replay for o in outcomes)  # type: ignore[attr-defined]
    assert buffer.scanning
    done = buffer.feed("enter", "\r")
    assert done.scanned == "INSP1:CP:F1-CAST-FURN:1A2B" and not buffer.scanning


def test_ordinary_typing_is_handed_back_in_order() -> None:
    buffer = ScanBuffer()
    assert buffer.feed("I", "I").consumed
    assert buffer.feed("N", "N").consumed
    outcome = buffer.feed("x", "x")
    assert not outcome.consumed
    assert [k.character for k in outcome.replay] == ["I", "N"]
    assert not buffer.holding
    plain = buffer.feed("y", "y")
    assert not plain.consumed and not plain.replay


def test_a_pause_releases_held_keys_but_not_a_recognised_scan() -> None:
    buffer = ScanBuffer()
    buffer.feed("I", "I")
    assert [k.key for k in buffer.flush()] == ["I"]
    feed_text(buffer, "INSP1")
    assert buffer.flush() == [] and buffer.scanning


def test_escape_cancels_and_backspace_edits_a_slowly_typed_scan() -> None:
    buffer = ScanBuffer()
    feed_text(buffer, "INSP1:CX")
    buffer.feed("backspace", None)
    assert buffer.text == "INSP1:C"
    assert buffer.feed("escape", None).cancelled
    assert not buffer.scanning and buffer.text == ""
