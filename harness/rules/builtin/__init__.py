"""Built-in rules; each module registers its rules on import, exactly as a team's own would."""

from . import (
    accessibility,
    approved_copy,
    bidi,
    client_support,
    content,
    direction,
    fits,
    foreign_data,
    images_off,
    leftovers,
    links,
    message,
    notices,
    ownership,
    render_gaps,
    spam,
)

__all__ = ["accessibility", "approved_copy", "bidi", "client_support", "content", "direction", "fits", "foreign_data", "images_off", "leftovers", "links", "message", "notices", "ownership", "render_gaps", "spam"]
