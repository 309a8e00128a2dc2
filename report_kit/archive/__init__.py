"""The embedded archive of annual reports (one SQLite file): versions, unit aliases, look-ups.

The 政务公开办 keeps every unit's reports year after year here, so that next year's check
can compare with last year (``previous_for``) and ``history`` can show a unit's figures
over time. See docs/archive.md.
"""

from report_kit.archive.db import ENV_VAR, ArchiveError, default_path
from report_kit.archive.store import AddResult, Archive
from report_kit.archive.units import name_key, same_unit

__all__ = ["ENV_VAR", "AddResult", "Archive", "ArchiveError", "default_path", "name_key", "same_unit"]
