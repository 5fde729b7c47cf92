"""The central sync server: HTTP API (``app``), access rules (``access``), backends
(``jsonfile``, ``postgres``), French messages (``messages``), command line (``cli``).
See docs/sync-model.md, "The sync server"."""
