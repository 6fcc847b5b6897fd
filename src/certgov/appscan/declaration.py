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


_FIELDS = {
    "": ("purposes", "pi_types", "permissions", "sdks", "sharing", "app"),
    "pi_types": ("type", "purpose", "necessary"),
    "sdks": ("name", "id", "packages", "collects", "purpose"),
    "sharing": ("recipient", "pi_types", "purpose"),
}
#: Longest text and list accepted anywhere in a declaration (it is stored with the unit).
TEXT_LIMIT = 2000
LIST_LIMIT = 500


def declaration_from_dict(body: object, where: str = "") -> Declaration:
    """A :class:`Declaration` from its JSON form; :class:`InvalidDeclaration` naming the first
    field that is wrong (unknown fields included, at every level), its path prefixed with
    ``where`` (``"declaration"`` when it is a field of a larger body)."""
    root = where or "the declaration"
    top = _object(body, root, "")
    _known(top, where, "")
    pi_types = []
    for index, row in enumerate(_list(top, "pi_types", where)):
        at = _path(where, f"pi_types[{index}]")
        item = _object(row, at, "pi_types")
        necessary = item.get("necessary", True)
        if not isinstance(necessary, bool):
            raise InvalidDeclaration("{at}.necessary must be true or false", at=at)
        pi_types.append(
            DeclaredPiType(
                _text(item.get("type"), f"{at}.type"),
                _optional_text(item.get("purpose"), f"{at}.purpose"),
                necessary,
            )
        )
    sdks = []
    for index, row in enumerate(_list(top, "sdks", where)):
        at = _path(where, f"sdks[{index}]")
        item = _object(row, at, "sdks")
        sdk_id = item.get("id")
        sdks.append(
            DeclaredSdk(
                name=_text(item.get("name"), f"{at}.name"),
                id=_text(sdk_id, f"{at}.id") if sdk_id is not None else None,
                packages=_texts(item.get("packages", []), f"{at}.packages"),
                collects=_texts(item.get("collects", []), f"{at}.collects"),
                purpose=_optional_text(item.get("purpose"), f"{at}.purpose"),
            )
        )
    sharing = []
    for index, row in enumerate(_list(top, "sharing", where)):
        at = _path(where, f"sharing[{index}]")
        item = _object(row, at, "sharing")
        sharing.append(
            Sharing(
                _text(item.get("recipient"), f"{at}.recipient"),
                _texts(item.get("pi_types", []), f"{at}.pi_types"),
                _optional_text(item.get("purpose"), f"{at}.purpose"),
            )
        )
    return Declaration(
        pi_types=tuple(pi_types),
        sdks=tuple(sdks),
        permissions=_texts(top.get("permissions", []), _path(where, "permissions")),
        purposes=_texts(top.get("purposes", []), _path(where, "purposes")),
        sharing=tuple(sharing),
    )


def declaration_as_dict(declaration: Declaration) -> dict[str, Any]:
    """The JSON form of ``declaration``, as :func:`declaration_from_dict` reads it back."""
    return {
        "purposes": list(declaration.purposes),
        "pi_types": [
            {"type": p.type, "purpose": p.purpose, "necessary": p.necessary}
            for p in declaration.pi_types
        ],
        "permissions": list(declaration.permissions),
        "sdks": [
            {
                "name": s.name,
                **({"id": s.id} if s.id else {}),
                "packages": list(s.packages),
                "collects": list(s.collects),
                "purpose": s.purpose,
            }
            for s in declaration.sdks
        ],
        "sharing": [
            {"recipient": s.recipient, "pi_types": list(s.pi_types), "purpose": s.purpose}
            for s in declaration.sharing
        ],
    }


def _path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _known(item: dict[str, Any], where: str, kind: str) -> None:
    allowed = _FIELDS[kind]
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise InvalidDeclaration(
            "{field}: unknown field in the declaration",
            hint="fields here: {fields}",
            details={"field": _path(where, unknown[0]), "unknown": unknown},
            field=_path(where, unknown[0]),
            fields=", ".join(a for a in allowed if a != "app"),
        )


def _list(body: dict[str, Any], key: str, where: str) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise InvalidDeclaration("{where} must be a list", where=_path(where, key))
    if len(value) > LIST_LIMIT:
        raise InvalidDeclaration(
            "{where} has more than {limit} items", where=_path(where, key), limit=LIST_LIMIT
        )
    return value


def _object(value: object, where: str, kind: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        if where == "the declaration":
            raise InvalidDeclaration("the declaration must be a JSON object")
        raise InvalidDeclaration("{where} must be an object", where=where)
    if kind:
        _known(value, where, kind)
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDeclaration("{where} must be a non-empty string", where=where)
    if len(value) > TEXT_LIMIT:
        raise InvalidDeclaration(
            "{where} is longer than {limit} characters", where=where, limit=TEXT_LIMIT
        )
    return value.strip()


def _optional_text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidDeclaration("{where} must be a string", where=where)
    if len(value) > TEXT_LIMIT:
        raise InvalidDeclaration(
            "{where} is longer than {limit} characters", where=where, limit=TEXT_LIMIT
        )
    return value.strip()


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidDeclaration("{where} must be a list of strings", where=where)
    if len(value) > LIST_LIMIT:
        raise InvalidDeclaration(
            "{where} has more than {limit} items", where=where, limit=LIST_LIMIT
        )
    return tuple(_text(v, f"{where}[{i}]") for i, v in enumerate(value))
