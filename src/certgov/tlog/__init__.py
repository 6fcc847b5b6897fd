"""Transparency logs: RFC 9162 Merkle trees, C2SP tlog-tiles and signed-note checkpoints.

Pure library (no database, no I/O) behind the filings log and the audit log (SYS-3):

- :mod:`certgov.tlog.merkle` — hashing, roots, inclusion and consistency proofs;
- :mod:`certgov.tlog.tiles` — tile coordinates and paths, tile bodies, entry bundles, and a
  tile-backed hash reader for proofs;
- :mod:`certgov.tlog.note` — Ed25519 signed notes and key strings;
- :mod:`certgov.tlog.checkpoint` — checkpoints (signed tree heads);
- :mod:`certgov.tlog.archive` — a whole log as files (tiles, bundles, checkpoint), built and
  verified offline, naming the first place that does not match;
- :mod:`certgov.tlog.errors` — the errors, all :class:`certgov.errors.InvalidInput`.
"""
