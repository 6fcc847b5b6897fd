"""`certgov calendar`: deadlines, holidays and official notices of the business-day calendar.

Exit codes: 0 success, 1 configuration problem (an invalid override file), 2 bad input.
Warnings (years without an official schedule) go to stderr, prefixed ``warning: ``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from certgov.calendar import (
    BusinessCalendar,
    china_calendar,
    dump_overrides,
    load_overrides,
    parse_overrides,
)
from certgov.errors import CertgovError, ConfigurationError, InvalidInput
from certgov.settings import get_settings

app = typer.Typer(
    help=(
        "Business-day calendar of mainland China (APP-6, SYS-1): compute deadlines, list "
        "holidays and make-up working days, load State Council holiday notices."
    ),
    no_args_is_help=True,
)

INSTALLED_OVERRIDES = "calendar-overrides.toml"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@app.command("add")
def add(
    start: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="YYYY-MM-DD",
            help="Start date, YYYY-MM-DD; the start day itself is not counted.",
        ),
    ],
    business_days: Annotated[
        int | None,
        typer.Option("--business-days", metavar="N", help="Count this many business days."),
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", metavar="N", help="Count this many calendar days.")
    ] = None,
    roll: Annotated[
        bool,
        typer.Option(
            "--roll/--no-roll",
            help="With --days: move a due day that is not a business day to the next one.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Print the due day of a period of business days or calendar days after --from."""
    try:
        start_day = _parse_date(start, "--from")
        if (business_days is None) == (days is None):
            raise InvalidInput("give exactly one of --business-days N and --days N")
        if business_days is not None and not roll:
            raise InvalidInput("--no-roll applies to --days only; business days never roll")
        calendar = _calendar()
        if business_days is not None:
            count, unit = business_days, "business days"
            deadline = calendar.add_business_days(start_day, business_days)
        else:
            assert days is not None
            count, unit = days, "calendar days"
            deadline = calendar.add_calendar_days(start_day, days, roll_to_business_day=roll)
    except CertgovError as exc:
        _fail(exc)
    for warning in deadline.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        _print_json(
            {
                "from": start_day.isoformat(),
                "due": deadline.due.isoformat(),
                "unit": unit,
                "days": count,
                "warnings": list(deadline.warnings),
            }
        )
    else:
        typer.echo(deadline.due.isoformat())


@app.command("show")
def show(
    year: Annotated[int, typer.Argument(help="Calendar year, 1950 to 2100.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """List a year's holidays and make-up working days, and whether the year is official."""
    try:
        calendar = _calendar()
        holidays = calendar.holidays_in(year)
        workdays = calendar.makeup_workdays_in(year)
    except CertgovError as exc:
        _fail(exc)
    official = calendar.is_official_year(year)
    source = calendar.source_of(year)
    if as_json:
        _print_json(
            {
                "year": year,
                "official": official,
                "source": source,
                "holidays": [{"date": day.isoformat(), "name": name} for day, name in holidays],
                "makeup_workdays": [day.isoformat() for day in workdays],
            }
        )
        return
    if official:
        typer.echo(f"{year}: official schedule ({source})")
    else:
        typer.echo(
            f"{year}: NO official schedule loaded; holidays are the holidays package's estimate "
            "and make-up working days are unknown. Load the State Council notice with "
            "`certgov calendar load FILE` when it is published."
        )
    typer.echo("Holidays (days off):")
    for day, name in holidays:
        typer.echo(f"  {day.isoformat()} {day:%a}  {name}")
    typer.echo("Make-up working days (weekend days that are working days):")
    for day in workdays:
        typer.echo(f"  {day.isoformat()} {day:%a}")
    if not workdays:
        typer.echo("  (none)")


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="Override file (TOML) transcribing a notice.")],
) -> None:
    """Validate an override file and install it for this data directory.

    The years of FILE are merged into <data_dir>/calendar-overrides.toml; a year already
    there is replaced.
    """
    settings = get_settings()
    target = settings.data_dir / INSTALLED_OVERRIDES
    try:
        incoming = load_overrides(file)
        existing = load_overrides(target) if target.exists() else {}
    except CertgovError as exc:
        _fail(exc)
    if not incoming:
        typer.echo(f"{file} is valid but holds no [[year]] tables; nothing installed.")
        return
    for year in sorted(incoming.keys() & existing.keys()):
        typer.echo(
            f"replacing {year}: was {existing[year].source!r}, now {incoming[year].source!r}"
        )
    text = dump_overrides({**existing, **incoming})
    parse_overrides(text, str(target))  # never install a file that would not load back
    _write_atomically(target, text)
    years = ", ".join(str(year) for year in sorted(incoming))
    typer.echo(f"installed {years} into {target}")
    configured = settings.calendar_overrides
    if configured is not None and configured.resolve() != target.resolve():
        typer.echo(
            f"warning: CERTGOV_CALENDAR_OVERRIDES points to {configured}; {target} is not "
            "used while it is set.",
            err=True,
        )


def _calendar() -> BusinessCalendar:
    return china_calendar(get_settings().resolved_calendar_overrides())


def _parse_date(text: str, option: str) -> dt.date:
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidInput(f"{option} must be a date written YYYY-MM-DD, not {text!r}")


def _fail(exc: CertgovError) -> NoReturn:
    typer.echo(f"error: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    code = 1 if isinstance(exc, ConfigurationError) else 2
    raise typer.Exit(code)


def _print_json(body: dict[str, Any]) -> None:
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


def _write_atomically(target: Path, text: str) -> None:
    # A half-written override file would break every later deadline computation.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)  # a public notice, readable by the server's user
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
