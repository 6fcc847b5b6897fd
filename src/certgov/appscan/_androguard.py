"""The few androguard calls the analysis makes, with its logging silenced and its errors
turned into ours."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from typing import Any

from loguru import logger

from certgov.appscan.errors import MalformedDex

# androguard logs every step through loguru at DEBUG/INFO level; a library must not print.
logger.disable("androguard")

from androguard.core.analysis.analysis import Analysis  # noqa: E402
from androguard.core.apk import APK  # noqa: E402
from androguard.core.dex import DEX  # noqa: E402

VERSION = metadata.version("androguard")


def analysis_of(dex_files: tuple[tuple[str, bytes], ...], target_sdk: int | None) -> Any:
    """An androguard ``Analysis`` of the dex files with its cross-references created."""
    analysis = Analysis()
    for name, data in dex_files:
        if data[:4] != b"dex\n":
            raise MalformedDex(
                f"{name} is not Dalvik bytecode (it starts with {data[:8].hex() or 'nothing'})",
                details={"entry": name},
            )
        try:
            analysis.add(DEX(data, using_api=target_sdk))
        except Exception as error:  # androguard raises anything on hostile bytes
            raise MalformedDex(
                f"{name} does not parse as Dalvik bytecode ({type(error).__name__}: "
                f"{str(error)[:200]})",
                details={"entry": name},
            ) from None
    try:
        analysis.create_xref()
    except Exception as error:
        raise MalformedDex(
            f"the dex code's cross-references cannot be built ({type(error).__name__}: "
            f"{str(error)[:200]})"
        ) from None
    return analysis


def internal_class_names(analysis: Any) -> Iterator[str]:
    """Dalvik names (``Lcom/example/Foo;``) of the classes defined in the APK."""
    for cls in analysis.get_internal_classes():
        yield str(cls.name)


def signing_block_certificates(apk: bytes) -> dict[str, list[bytes]]:
    """DER certificates of the APK Signature Scheme v2 and v3 blocks, by scheme."""
    parsed = APK(apk, raw=True, skip_analysis=True)
    found: dict[str, list[bytes]] = {}
    if parsed.is_signed_v2():
        found["v2"] = list(parsed.get_certificates_der_v2())
    if parsed.is_signed_v3():
        found["v3"] = list(parsed.get_certificates_der_v3())
    return found
