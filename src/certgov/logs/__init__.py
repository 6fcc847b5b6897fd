"""Persistent transparency logs (SYS-3): the ``filings`` and ``audit`` logs, and any other.

The Merkle and tile arithmetic is :mod:`certgov.tlog` (pure); this package stores it:

- :mod:`certgov.logs.models` — logs, sequenced entries, the queue, tiles and checkpoints;
- :mod:`certgov.logs.keys` — each log's Ed25519 checkpoint key, in the data directory;
- :mod:`certgov.logs.store` — queueing, the batched single-writer sequencer, tiles, proofs;
- :mod:`certgov.logs.sequencer` — when queued entries get sequenced (after commit, in the worker).
"""
