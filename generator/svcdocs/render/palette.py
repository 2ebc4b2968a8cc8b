"""Colours of the exposure levels, shared by every drawing: the site's diagrams
and `svcdocs graph --format dot|mermaid` show a level the same way. Each
stroke is also the text colour of its boxes, at 4.5:1 or more on their fill."""

LEVEL_COLOURS = {  # stroke, fill
    "internet": ("#C62828", "#FDECEA"),
    "network": ("#BF4400", "#FFF3E0"),
    "node": ("#9A6700", "#FFF8E1"),
    "cluster": ("#2E7D32", "#E8F5E9"),
    "egress": ("#6A1B9A", "#F3E5F5"),
    "none": ("#616161", "#F5F5F5"),
}
NEUTRAL = ("#546E7A", "#FFFFFF")
GHOST = ("#90A4AE", "#FFFFFF")  # a faded border; its text is GHOST_TEXT
GHOST_TEXT = "#546E7A"
EDGE = "#78909C"  # an edge that carries no level; its label is GHOST_TEXT
