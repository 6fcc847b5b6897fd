"""Roles of SYS-6 and the actor performing an action.

Least privilege: every role sees and does only what its function needs.

- national regulator: everything, nationwide (ECS-4.3);
- provincial regulator: parties and cases of its province only;
- certification body: the app security certification scheme (APP-*);
- testing agency: the cases assigned to it only (APP-3);
- CA operator / app operator: their own party's records only;
- public: published information, complaints, verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from certgov.jurisdictions import NATIONAL, covers
from certgov.workflow.definition import SYSTEM_ROLE


class Role(StrEnum):
    NATIONAL_REGULATOR = "national_regulator"
    PROVINCIAL_REGULATOR = "provincial_regulator"
    CERTIFICATION_BODY = "certification_body"
    TESTING_AGENCY = "testing_agency"
    CA_OPERATOR = "ca_operator"
    APP_OPERATOR = "app_operator"
    PUBLIC = "public"


#: Officials: their actions and logins are audited (SYS-3) and they act on others' cases.
OFFICIAL_ROLES = frozenset(
    {Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CERTIFICATION_BODY}
)
REGULATORS = frozenset({Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR})
#: Roles acting for one party, limited to that party's records.
PARTY_ROLES = frozenset({Role.TESTING_AGENCY, Role.CA_OPERATOR, Role.APP_OPERATOR})
#: Which party kind each party-bound role must belong to.
ROLE_PARTY_KIND = {
    Role.TESTING_AGENCY: "testing_agency",
    Role.CA_OPERATOR: "ca",
    Role.APP_OPERATOR: "app_operator",
}
ALL_ROLES = tuple(Role)


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"  # noqa: S105 - an actor kind, not a secret
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, a machine client, the system itself, or the public."""

    kind: ActorKind
    role: Role
    name: str
    jurisdiction: str = NATIONAL
    party_id: int | None = None
    user_id: int | None = None
    token_id: int | None = None

    @property
    def recorded_role(self) -> str:
        """The role written into histories: ``system`` for the system itself."""
        return SYSTEM_ROLE if self.kind is ActorKind.SYSTEM else self.role.value

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    def covers(self, jurisdiction: str | None) -> bool:
        """Whether this actor's jurisdiction scope includes ``jurisdiction`` (ECS-4.3)."""
        if self.role is Role.PROVINCIAL_REGULATOR:
            return covers(self.jurisdiction, jurisdiction)
        return self.role in (Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY) or (
            self.kind is ActorKind.SYSTEM
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "role": self.role.value,
            "name": self.name,
            "jurisdiction": self.jurisdiction,
            "party_id": self.party_id,
        }


SYSTEM_ACTOR = Actor(ActorKind.SYSTEM, Role.NATIONAL_REGULATOR, "certgov worker")
ANONYMOUS = Actor(ActorKind.ANONYMOUS, Role.PUBLIC, "public")
