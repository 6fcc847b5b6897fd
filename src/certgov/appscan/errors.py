"""Errors of the APK analysis library.

An APK or a declaration that cannot be analysed is bad input from whoever supplied it, so every
error here is a :class:`certgov.errors.InvalidInput` naming what is wrong with the file; data
files shipped with certgov that do not load are :class:`certgov.errors.ConfigurationError`.
"""

from __future__ import annotations

from certgov.errors import ConfigurationError, InvalidInput

__all__ = [
    "ApkError",
    "ApkTooLarge",
    "DuplicateEntry",
    "InvalidDeclaration",
    "InvalidSignatureData",
    "MalformedDex",
    "MalformedManifest",
    "NotAnApk",
    "ShippedDataError",
    "TruncatedApk",
    "ZipBomb",
]


class ApkError(InvalidInput):
    """Base of the errors about an APK file: nothing of it is analysed or kept."""

    code = "apk_invalid"


class NotAnApk(ApkError):
    """The bytes are not a zip archive at all."""

    code = "apk_not_a_zip"


class TruncatedApk(ApkError):
    """The file starts as a zip archive but ends early or an entry's data is damaged."""

    code = "apk_truncated"


class ApkTooLarge(ApkError):
    """The file, its number of entries or its dex code exceed the analysis limits."""

    code = "apk_too_large"


class ZipBomb(ApkError):
    """The central directory announces more inflated data than the limits allow, or an entry
    compresses better than any real APK content (checked before anything is inflated)."""

    code = "apk_zip_bomb"


class DuplicateEntry(ApkError):
    """Two entries share a name the analysis reads (tools would disagree on which is real)."""

    code = "apk_duplicate_entry"


class MalformedManifest(ApkError):
    """``AndroidManifest.xml`` is missing or is not a binary Android manifest."""

    code = "apk_malformed_manifest"


class MalformedDex(ApkError):
    """A ``classes*.dex`` entry is not Dalvik bytecode :mod:`certgov.appscan.dexscan` can read."""

    code = "apk_malformed_dex"


class InvalidDeclaration(InvalidInput):
    """The operator's declared personal-information practices do not have the expected form."""

    code = "app_declaration_invalid"


class InvalidSignatureData(InvalidInput):
    """An SDK signature file supplied by an operator (ours or Exodus format) does not load."""

    code = "app_signature_data_invalid"


class ShippedDataError(ConfigurationError):
    """A data file shipped inside :mod:`certgov.appscan` is wrong (a packaging error)."""

    code = "appscan_data_error"
