"""What several commands share: the `--store` option, settings, dates, service logging."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pydantic-settings loads when a command runs, not for its --help
    from index.settings import Settings

store_option = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Embedded Chroma directory for this command; overrides POLICING_QA_STORE and "
    "POLICING_QA_CHROMA_URL.",
)

sources_option = click.option(
    "--sources",
    "sources_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file listing feeds, sitemaps and pages (see docs/sources.example.toml) "
    "[POLICING_QA_SOURCES].",
)


def settings_for(store: Path | None = None, *, must_exist: bool = False) -> Settings:
    """Settings from the environment; an explicit `--store` selects that directory.

    Without `--store` every command reads the same settings, so ingest and serve always
    meet in one store: the Chroma server when POLICING_QA_CHROMA_URL is set, else
    POLICING_QA_STORE.
    """
    from index.settings import get_settings

    settings = get_settings()
    if store is None:
        return settings
    if must_exist and not store.is_dir():
        raise click.UsageError(f"--store {store}: no such directory")
    return settings.model_copy(update={"store": store, "chroma_url": None})


def sources_path(given: Path | None, settings: Settings, *, required: bool) -> Path | None:
    """The sources file: `--sources`, else POLICING_QA_SOURCES; it must exist."""
    path = given or settings.sources
    if path is None:
        if required:
            raise click.UsageError("give --sources FILE (or set POLICING_QA_SOURCES)")
        return None
    if not path.is_file():
        raise click.UsageError(f"sources file {path}: no such file")
    return path


def log_as_service(settings, *names: str) -> None:
    """A service reports what it does: these loggers at INFO unless -v asked for more,
    in the settings' log format (one line per record as text, or JSON)."""
    from bot.logs import use_format

    use_format(settings.log_format)
    for name in names:
        if logging.getLogger(name).getEffectiveLevel() > logging.INFO:
            logging.getLogger(name).setLevel(logging.INFO)


class DateType(click.ParamType):
    """A YYYY-MM-DD date; anything else is a usage error naming the option."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2019-10-31", param, ctx)
