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
    "Replies": Capability.REPLY,
    "Direct messages": Capability.DIRECT_MESSAGES,
}
# One column for what the inbox may do to what others wrote: the cell names each, or is blank.
ENGAGING = "Like / hide / delete"
ENGAGE_WORDS = {
    "like": Capability.LIKE,
    "hide": Capability.HIDE,
    "delete": Capability.DELETE_COMMENTS,
}


def _table() -> dict[str, tuple[dict[str, bool], list[str]]]:
    lines = [line for line in DOC.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows: dict[str, tuple[dict[str, bool], list[str]]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        guide = cells[0].split("](")[1].rstrip(")")
        assert (DOC.parent / guide).is_file(), guide
        marks = {name: cells[header.index(name)] == "✓" for name in COLUMNS}
        engaging = [w.strip() for w in cells[header.index(ENGAGING)].split(",") if w.strip()]
        rows[guide.removesuffix(".md")] = (marks, engaging)
    return rows


def test_the_overview_lists_every_network_with_what_it_can_do() -> None:
    table = _table()
    assert set(table) == set(NETWORKS)
    for network, (marks, engaging) in table.items():
        declared = connector_class(network).capabilities
        for column, capability in COLUMNS.items():
            assert marks[column] == (capability in declared), (network, column)
        # Named in this order, each once, and exactly what is declared.
        expected = [word for word, capability in ENGAGE_WORDS.items() if capability in declared]
        assert engaging == expected, (network, ENGAGING)
