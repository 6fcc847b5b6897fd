"""The sensitive-API rule table (``sensitive_apis.toml``): which Android calls read which type
of personal information, and which permission gives access to which type."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from certgov.appscan.errors import InvalidSignatureData, ShippedDataError


def descriptor(java_class: str) -> str:
    """``android.os.Build`` → ``Landroid/os/Build;``"""
    return "L" + java_class.replace(".", "/") + ";"


@dataclass(frozen=True, slots=True)
class ApiRule:
    """Calls of ``methods`` of ``java_class`` read ``pi_type``; with ``with_strings``, only when
    the calling method also loads one of those strings."""

    pi_type: str
    java_class: str
    methods: frozenset[str]
    source: str
    with_strings: tuple[str, ...] = ()

    @property
    def descriptor(self) -> str:
        return descriptor(self.java_class)


@dataclass(frozen=True, slots=True)
class ProviderRule:
    """A content-provider read of ``pi_type``: a query whose caller loads one of the URI
    prefixes or reads a static field of one of the URI classes."""

    pi_type: str
    uri_prefixes: tuple[str, ...]
    uri_classes: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ApiRules:
    version: str
    pi_types: dict[str, str]
    permissions: dict[str, tuple[str, ...]]
    apis: tuple[ApiRule, ...]
    providers: tuple[ProviderRule, ...]
    query_methods: dict[str, frozenset[str]]
    digest: str = ""

    @property
    def label(self) -> str:
        return f"{self.version} (sha256:{self.digest})" if self.digest else self.version


def shipped_api_rules() -> ApiRules:
    """The rule table shipped with certgov."""
    text = (
        resources.files("certgov.appscan")
        .joinpath("sensitive_apis.toml")
        .read_text(encoding="utf-8")
    )
    try:
        return load_api_rules(text)
    except InvalidSignatureData as error:
        raise ShippedDataError(
            "{file}: {problem}", file="certgov/appscan/sensitive_apis.toml", problem=error.message
        ) from None


def load_api_rules(text: str) -> ApiRules:
    """A rule table in the format of ``sensitive_apis.toml``; every PI type a row uses must be
    listed in ``[pi_types]``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidSignatureData(
            "the API rule table is not TOML: {error}", error=str(error)
        ) from None
    pi_types = _str_map(data.get("pi_types"), "[pi_types]")
    permissions: dict[str, tuple[str, ...]] = {}
    for permission, value in dict(data.get("permissions", {})).items():
        where = f"[permissions] {permission}"
        types = tuple(_list(value, where)) if isinstance(value, list) else (_str(value, where),)
        for pi_type in types:
            _known(pi_type, pi_types, where)
        permissions[permission] = types
    apis = []
    for index, row in enumerate(data.get("api", []), start=1):
        where = f"[[api]] #{index}"
        _known(row.get("pi_type"), pi_types, where)
        apis.append(
            ApiRule(
                pi_type=row["pi_type"],
                java_class=_str(row.get("class"), f"{where}: class"),
                methods=frozenset(_list(row.get("methods"), f"{where}: methods")),
                source=_str(row.get("source"), f"{where}: source"),
                with_strings=tuple(_list(row.get("with_strings", []), f"{where}: with_strings")),
            )
        )
    providers = []
    for index, row in enumerate(data.get("provider", []), start=1):
        where = f"[[provider]] #{index}"
        _known(row.get("pi_type"), pi_types, where)
        providers.append(
            ProviderRule(
                pi_type=row["pi_type"],
                uri_prefixes=tuple(_list(row.get("uri_prefixes"), f"{where}: uri_prefixes")),
                uri_classes=tuple(
                    descriptor(c)[:-1] for c in _list(row.get("uri_classes", []), where)
                ),
                source=_str(row.get("source"), f"{where}: source"),
            )
        )
    queries = {
        descriptor(cls): frozenset(_list(methods, f"[query_methods] {cls}"))
        for cls, methods in dict(data.get("query_methods", {})).items()
    }
    return ApiRules(
        version=_str(data.get("version"), "version"),
        pi_types=pi_types,
        permissions=permissions,
        apis=tuple(apis),
        providers=tuple(providers),
        query_methods=queries,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
    )


def _known(pi_type: object, pi_types: dict[str, str], where: str) -> None:
    if pi_type not in pi_types:
        raise InvalidSignatureData(
            "{where}: PI type {pi_type!r} is not listed in [pi_types]",
            where=where,
            pi_type=pi_type,
        )


def _str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidSignatureData("{where} must be a non-empty string", where=where)
    return value


def _list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidSignatureData("{where} must be a list of non-empty strings", where=where)
    return list(value)


def _str_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidSignatureData("{where} must be a table of strings", where=where)
    return dict(value)
