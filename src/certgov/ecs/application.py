"""A licence application for electronic certification services, read strictly from JSON (ECS-2.1).

The application states the facts :func:`certgov.ecs.requirements.evaluate` checks: the legal
person and its unified social credit code, registered capital, staff, premises, physical
environment, equipment, the cryptography approval, and the attached documents by digest.
:func:`parse_application` reads it from parsed JSON without coercing anything; each error is an
:class:`~certgov.errors.InvalidInput` naming the field path and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from certgov import strict_json as _json

__all__ = [
    "Application",
    "CryptographyApproval",
    "Document",
    "Equipment",
    "LegalPerson",
    "PhysicalEnvironment",
    "Premises",
    "parse_application",
]

_FILENAME_FORBIDDEN_RE = re.compile(r"[/\\\x00-\x1f\x7f]")
_REQUIRED = (
    "legal_person",
    "registered_capital_yuan",
    "technical_staff",
    "premises",
    "physical_environment",
    "equipment",
    "cryptography",
)
_OPTIONAL = ("service_staff", "documents")


@dataclass(frozen=True, slots=True)
class LegalPerson:
    """The applicant: ``uscc`` is its unified social credit code (GB 32100-2015)."""

    name: str
    uscc: str
    independent_legal_person: bool


@dataclass(frozen=True, slots=True)
class Premises:
    """Fixed premises; ``description`` says where and what they are."""

    fixed_premises: bool
    description: str | None = None


@dataclass(frozen=True, slots=True)
class PhysicalEnvironment:
    """A physical environment fit for secure operation; ``evidence`` names what shows it
    (test reports, inspection records, document file names)."""

    fit_for_secure_operation: bool
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Equipment:
    """Technology and equipment meeting national security standards; ``certificates`` are the
    references of the certificates or test reports that say so."""

    meets_national_security_standards: bool
    certificates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CryptographyApproval:
    """The approval of the State Cryptography Administration to use commercial cryptography."""

    approved: bool
    approval_number: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """An attached file: ``sha256`` is 64 lower-case hex digits, ``size`` bytes (at least 1)."""

    kind: str
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Application:
    """A licence application (ECS-2.1). Money in whole yuan.

    ``technical_staff`` is the dedicated technical team; ``service_staff``, when given, is
    everyone engaged in the service (technical, operations management, security management and
    customer service staff), which the 2015 Measures count. The rule set says which applies.
    """

    legal_person: LegalPerson
    registered_capital_yuan: int
    technical_staff: int
    premises: Premises
    physical_environment: PhysicalEnvironment
    equipment: Equipment
    cryptography: CryptographyApproval
    service_staff: int | None = None
    documents: tuple[Document, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON :func:`parse_application` reads."""
        body: dict[str, Any] = _jsonable(asdict(self))
        return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _document(value: object, path: str) -> Document:
    fields = _json.json_object(value, path, ("kind", "filename", "sha256", "size"))
    kind = _json.text(fields["kind"], f"{path}.kind")
    filename = _json.text(fields["filename"], f"{path}.filename")
    if _FILENAME_FORBIDDEN_RE.search(filename):
        _json.refuse(
            f"{path}.filename", "a file name without '/', '\\' or control characters", filename
        )
    sha256 = _json.sha256_hex(fields["sha256"], f"{path}.sha256")
    size = _json.whole_number(fields["size"], f"{path}.size", minimum=1, unit="bytes")
    return Document(kind, filename, sha256, size)


def _documents(value: object) -> tuple[Document, ...]:
    documents: list[Document] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(_json.array(value, "documents")):
        path = f"documents[{index}]"
        document = _document(item, path)
        if document.filename in seen:
            _json.refuse(
                f"{path}.filename",
                f"a file name not used before (documents[{seen[document.filename]}] has it)",
                document.filename,
            )
        seen[document.filename] = index
        documents.append(document)
    return tuple(documents)


def _legal_person(value: object) -> LegalPerson:
    path = "legal_person"
    fields = _json.json_object(value, path, ("name", "uscc", "independent_legal_person"))
    return LegalPerson(
        name=_json.text(fields["name"], f"{path}.name"),
        uscc=_json.text(fields["uscc"], f"{path}.uscc"),
        independent_legal_person=_json.boolean(
            fields["independent_legal_person"], f"{path}.independent_legal_person"
        ),
    )


def _staff(fields: Mapping[str, object]) -> tuple[int, int | None]:
    technical = _json.whole_number(
        fields["technical_staff"], "technical_staff", minimum=0, unit="people"
    )
    service = fields.get("service_staff")
    if service is None:
        return technical, None
    service = _json.whole_number(service, "service_staff", minimum=0, unit="people")
    if service < technical:
        _json.refuse(
            "service_staff",
            f"at least technical_staff ({technical}): the service staff include the technical team",
            service,
        )
    return technical, service


def _claim(value: object, path: str, flag: str, evidence: str) -> tuple[bool, tuple[str, ...]]:
    """An object ``{flag: bool, evidence?: [str]}``."""
    fields = _json.json_object(value, path, (flag,), (evidence,))
    claimed = _json.boolean(fields[flag], f"{path}.{flag}")
    return claimed, _json.text_list(fields.get(evidence, []), f"{path}.{evidence}")


def _optional_text_claim(value: object, path: str, flag: str, text: str) -> tuple[bool, str | None]:
    """An object ``{flag: bool, text?: str or null}``."""
    fields = _json.json_object(value, path, (flag,), (text,))
    claimed = _json.boolean(fields[flag], f"{path}.{flag}")
    return claimed, _json.optional_text(fields.get(text), f"{path}.{text}")


def parse_application(data: object) -> Application:
    """Read an :class:`Application` from parsed JSON; InvalidInput naming the field otherwise.

    Shape (optional fields marked ``?``; nothing is coerced, unknown fields are refused)::

        {"legal_person": {"name": str, "uscc": str, "independent_legal_person": bool},
         "registered_capital_yuan": int >= 0,
         "technical_staff": int >= 0, "service_staff"?: int >= technical_staff or null,
         "premises": {"fixed_premises": bool, "description"?: str or null},
         "physical_environment": {"fit_for_secure_operation": bool, "evidence"?: [str]},
         "equipment": {"meets_national_security_standards": bool, "certificates"?: [str]},
         "cryptography": {"approved": bool, "approval_number"?: str or null},
         "documents"?: [{"kind": str, "filename": str, "sha256": hex64, "size": int >= 1}]}

    Fields are checked in this order and the first error is raised. Whether the unified social
    credit code is valid is not a parsing matter: evaluate() reports it as an item.
    """
    fields = _json.json_object(data, "", _REQUIRED, _OPTIONAL)
    legal_person = _legal_person(fields["legal_person"])
    capital = _json.whole_number(
        fields["registered_capital_yuan"], "registered_capital_yuan", minimum=0, unit="yuan"
    )
    technical_staff, service_staff = _staff(fields)
    premises = _optional_text_claim(fields["premises"], "premises", "fixed_premises", "description")
    environment = _claim(
        fields["physical_environment"],
        "physical_environment",
        "fit_for_secure_operation",
        "evidence",
    )
    equipment = _claim(
        fields["equipment"], "equipment", "meets_national_security_standards", "certificates"
    )
    cryptography = _optional_text_claim(
        fields["cryptography"], "cryptography", "approved", "approval_number"
    )
    return Application(
        legal_person=legal_person,
        registered_capital_yuan=capital,
        technical_staff=technical_staff,
        service_staff=service_staff,
        premises=Premises(*premises),
        physical_environment=PhysicalEnvironment(*environment),
        equipment=Equipment(*equipment),
        cryptography=CryptographyApproval(*cryptography),
        documents=_documents(fields.get("documents", [])),
    )
