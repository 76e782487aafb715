"""The checklist table lays columns out by terminal cells, so Chinese and English rows line up."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from screens.widgets.checklist_table import fit


def test_fit_pads_and_cuts_by_cell_width() -> None:
    assert fit(Text("是"), 6).plain == "是    "
    assert cell_len(fit(Text("熔铸炉设有应急水源"), 9).plain) == 9
    assert fit(Text("熔铸炉设有应急水源"), 9).plain.endswith("…")
    assert fit(Text("10"), 4, justify="right").plain == "  10"
    assert cell_len(fit(Text("Furnace has an emergency water source"), 12).plain) == 12
