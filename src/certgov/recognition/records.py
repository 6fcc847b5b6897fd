"""Reads of a recognition's records: its status history and the foreign CA certificates it covers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.recognition.models import (
    RecognisedCertificate,
    Recognition,
    RecognitionEvent,
)


def history(session: Session, recognition: Recognition) -> list[RecognitionEvent]:
    return list(
        session.scalars(
            select(RecognitionEvent)
            .where(RecognitionEvent.recognition_id == recognition.id)
            .order_by(RecognitionEvent.id)
        )
    )


def certificates_of(session: Session, recognition: Recognition) -> list[RecognisedCertificate]:
    return list(
        session.scalars(
            select(RecognisedCertificate)
            .where(RecognisedCertificate.recognition_id == recognition.id)
            .order_by(RecognisedCertificate.id)
        )
    )
