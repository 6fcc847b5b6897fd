"""Each log's checkpoint signing key: Ed25519, created on first use, kept in the data directory.

One key per log, named by the log's origin (C2SP: a checkpoint's key name SHOULD be its origin),
stored as a signed-note signer key string in ``<key dir>/<log>.key`` with mode 0600. The key is
never in the repository or the database; the database keeps the public verifier key of each log
so that a replaced or lost key file is noticed instead of silently starting a second history.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from certgov.errors import CertgovError, ConfigurationError
from certgov.tlog.note import Signer


class LogKeys:
    """Loads (or creates, once, atomically) the signer of each log from ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._signers: dict[str, Signer] = {}
        self._lock = threading.Lock()

    def path_of(self, log_name: str) -> Path:
        return self.directory / f"{log_name}.key"

    def signer(self, log_name: str, origin: str) -> Signer:
        """The signer of ``log_name``; created with key name ``origin`` if it has none yet."""
        with self._lock:
            signer = self._signers.get(log_name)
            if signer is None:
                signer = self._load_or_create(log_name, origin)
                self._signers[log_name] = signer
        if signer.name != origin:
            raise ConfigurationError(
                f"the key of log {log_name!r} ({self.path_of(log_name)}) is named "
                f"{signer.name!r}, but the log's origin is {origin!r}",
                hint="restore the log's original key file; never replace a log's key",
            )
        return signer

    def _load_or_create(self, log_name: str, origin: str) -> Signer:
        path = self.path_of(log_name)
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            signer = Signer.generate(origin)
            # Written in full to a private temporary file, then linked into place: link fails if
            # another process created the key meanwhile, and nobody ever reads half a key.
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(signer.signer_key() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            else:
                return signer
            finally:
                temporary.unlink(missing_ok=True)
        try:
            text = path.read_text(encoding="ascii").strip()
            return Signer.from_signer_key(text)
        except (OSError, UnicodeDecodeError, CertgovError) as exc:
            raise ConfigurationError(
                f"cannot read the signing key of log {log_name!r} from {path}: {exc}",
                hint="the file must hold one PRIVATE+KEY+... line, readable by this user",
            ) from exc
