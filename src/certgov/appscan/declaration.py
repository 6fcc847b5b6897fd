"""The operator's declared personal-information practices (APP-1 documents) as data: what a
scan's findings are judged against.

JSON form::

    {"purposes": ["music streaming"],
     "pi_types": [{"type": "phone_state", "purpose": "pause on calls", "necessary": true}],
     "permissions": ["android.permission.WAKE_LOCK"],
     "sdks": [{"name": "Umeng+", "id": "umeng", "collects": ["device_id"], "purpose": "…"}],
     "sharing": [{"recipient": "…", "pi_types": ["device_id"], "purpose": "…"}]}

``pi_types[].type`` uses the PI type names of ``sensitive_apis.toml``; ``necessary: false``
declares a type not needed by the basic service; ``permissions`` lists permissions the policy
explains that map to no PI type; an SDK matches a detected one by ``id`` (ours), or by its
``name`` or ``packages`` (prefixes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.appscan.attribution import SdkHit
from certgov.appscan.errors import InvalidDeclaration


@dataclass(frozen=True, slots=True)
class DeclaredPiType:
    type: str
    purpose: str = ""
    necessary: bool = True


@dataclass(frozen=True, slots=True)
class DeclaredSdk:
    name: str
    id: str | None = None
    packages: tuple[str, ...] = ()
    collects: tuple[str, ...] = ()
    purpose: str = ""

    def matches(self, hit: SdkHit) -> bool:
        if self.id and self.id == hit.sdk.id:
            return True
        name = self.name.casefold()
        if name and (name == hit.sdk.id or name in hit.sdk.name.casefold()):
            return True
        return any(
            prefix.startswith(package.rstrip(".") + ".") or prefix == package
            for package in self.packages
            for prefix in hit.sdk.prefixes
        )


@dataclass(frozen=True, slots=True)
class Sharing:
    recipient: str
    pi_types: tuple[str, ...] = ()
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class Declaration:
    pi_types: tuple[DeclaredPiType, ...] = ()
    sdks: tuple[DeclaredSdk, ...] = ()
    permissions: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    sharing: tuple[Sharing, ...] = ()

    @property
    def app_pi_types(self) -> frozenset[str]:
        return frozenset(p.type for p in self.pi_types)

    @property
    def all_pi_types(self) -> frozenset[str]:
        """Declared for the app or for any SDK."""
        return self.app_pi_types | {t for sdk in self.sdks for t in sdk.collects}

    @property
    def unnecessary_pi_types(self) -> frozenset[str]:
        return frozenset(p.type for p in self.pi_types if not p.necessary)

    def sdk_for(self, hit: SdkHit) -> DeclaredSdk | None:
        return next((sdk for sdk in self.sdks if sdk.matches(hit)), None)


def declaration_from_dict(body: object) -> Declaration:
    """A :class:`Declaration` from its JSON form; :class:`InvalidDeclaration` naming the first
    field that is wrong."""
    if not isinstance(body, dict):
        raise InvalidDeclaration("the declaration must be a JSON object")
    unknown = set(body) - {"purposes", "pi_types", "permissions", "sdks", "sharing", "app"}
    if unknown:
        raise InvalidDeclaration(
            f"unknown field(s) in the declaration: {', '.join(sorted(unknown))}",
            hint="fields: purposes, pi_types, permissions, sdks, sharing",
        )
    pi_types = []
    for index, row in enumerate(_list(body, "pi_types")):
        where = f"pi_types[{index}]"
        item = _object(row, where)
        necessary = item.get("necessary", True)
        if not isinstance(necessary, bool):
            raise InvalidDeclaration(f"{where}.necessary must be true or false")
        pi_types.append(
            DeclaredPiType(
                _text(item.get("type"), f"{where}.type"),
                str(item.get("purpose", "")),
                necessary,
            )
        )
    sdks = []
    for index, row in enumerate(_list(body, "sdks")):
        where = f"sdks[{index}]"
        item = _object(row, where)
        sdks.append(
            DeclaredSdk(
                name=_text(item.get("name"), f"{where}.name"),
                id=str(item["id"]) if item.get("id") else None,
                packages=_texts(item.get("packages", []), f"{where}.packages"),
                collects=_texts(item.get("collects", []), f"{where}.collects"),
                purpose=str(item.get("purpose", "")),
            )
        )
    sharing = []
    for index, row in enumerate(_list(body, "sharing")):
        where = f"sharing[{index}]"
        item = _object(row, where)
        sharing.append(
            Sharing(
                _text(item.get("recipient"), f"{where}.recipient"),
                _texts(item.get("pi_types", []), f"{where}.pi_types"),
                str(item.get("purpose", "")),
            )
        )
    return Declaration(
        pi_types=tuple(pi_types),
        sdks=tuple(sdks),
        permissions=_texts(body.get("permissions", []), "permissions"),
        purposes=_texts(body.get("purposes", []), "purposes"),
        sharing=tuple(sharing),
    )


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise InvalidDeclaration(f"{key} must be a list")
    return value


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidDeclaration(f"{where} must be an object")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDeclaration(f"{where} must be a non-empty string")
    return value.strip()


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidDeclaration(f"{where} must be a list of strings")
    return tuple(_text(v, f"{where}[{i}]") for i, v in enumerate(value))
