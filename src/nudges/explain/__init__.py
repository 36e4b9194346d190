"""Views of the ideas: wishes, nudges, averaging, noise, gradient checks, figures,
and the lesson, surface and playground behind the page."""
