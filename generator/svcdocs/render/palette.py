"""Colours of the exposure levels, shared by every drawing: the site's diagrams
and `svcdocs graph --format dot|mermaid` show a level the same way."""

LEVEL_COLOURS = {  # stroke, fill
    "internet": ("#C62828", "#FDECEA"),
    "network": ("#E65100", "#FFF3E0"),
    "node": ("#9A6700", "#FFF8E1"),
    "cluster": ("#2E7D32", "#E8F5E9"),
    "egress": ("#6A1B9A", "#F3E5F5"),
    "none": ("#616161", "#F5F5F5"),
}
NEUTRAL = ("#546E7A", "#FFFFFF")
GHOST = ("#90A4AE", "#FFFFFF")
