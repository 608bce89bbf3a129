"""Roadshows and matchmaking events: organizing (service), the programme of patents and needs
(programme), registrations and attendance (registration), pairs and outcomes (pairs), the
figures per event and per year (figures) and the exports (export)."""
