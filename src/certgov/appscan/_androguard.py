"""androguard for the APK signing block (v2 and v3), with its logging silenced. (The manifest
is decoded with androguard's AXML reader in :mod:`certgov.appscan.manifest`; the bytecode is
read by :mod:`certgov.appscan.dexscan`, not by androguard.)"""

from __future__ import annotations

from importlib import metadata

from loguru import logger

# androguard logs every step through loguru at DEBUG/INFO level; a library must not print.
logger.disable("androguard")

from androguard.core.apk import APK  # noqa: E402

VERSION = metadata.version("androguard")


def signing_block_certificates(apk: bytes) -> dict[str, list[bytes]]:
    """DER certificates of the APK Signature Scheme v2 and v3 blocks, by scheme."""
    parsed = APK(apk, raw=True, skip_analysis=True)
    found: dict[str, list[bytes]] = {}
    if parsed.is_signed_v2():
        found["v2"] = list(parsed.get_certificates_der_v2())
    if parsed.is_signed_v3():
        found["v3"] = list(parsed.get_certificates_der_v3())
    return found
