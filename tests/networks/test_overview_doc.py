"""docs/networks/README.md tells people what each network can do: it must say what the
code declares, for every registered network, and link a guide that exists."""

from __future__ import annotations

from pathlib import Path

from hubbub.networks.base import Capability
from hubbub.networks.registry import NETWORKS, connector_class

DOC = Path(__file__).resolve().parents[2] / "docs" / "networks" / "README.md"
COLUMNS = {
    "Text": Capability.PUBLISH_TEXT,
    "Images": Capability.PUBLISH_IMAGE,
    "Video": Capability.PUBLISH_VIDEO,
    "Threads": Capability.PUBLISH_THREAD,
    "First comment": Capability.FIRST_COMMENT,
    "Delete": Capability.DELETE,
    "Comments": Capability.READ_COMMENTS,
    "Mentions": Capability.MENTIONS,
    "Metrics": Capability.METRICS,
}


def _table() -> dict[str, dict[str, bool]]:
    lines = [line for line in DOC.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows: dict[str, dict[str, bool]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        guide = cells[0].split("](")[1].rstrip(")")
        assert (DOC.parent / guide).is_file(), guide
        rows[guide.removesuffix(".md")] = {
            name: cells[header.index(name)] == "✓" for name in COLUMNS
        }
    return rows


def test_the_overview_lists_every_network_with_what_it_can_do() -> None:
    table = _table()
    assert set(table) == set(NETWORKS)
    for network, marks in table.items():
        declared = connector_class(network).capabilities
        for column, capability in COLUMNS.items():
            assert marks[column] == (capability in declared), (network, column)
