"""report_kit: compile and validate 政府信息公开工作年度报告 in the national format.

Library entry points (the CLI is a thin layer over these)::

    from report_kit import check_file, validate
    report = check_file("本单位2024年报.yaml")      # read + validate a file → FileReport
    result = validate(submission_dict)             # validate a canonical submission
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check_file", "read_submission", "validate"]


def check_file(path, **options):
    from report_kit.check import check_file as _check_file

    return _check_file(path, **options)


def read_submission(path):
    from report_kit.readers import read_submission as _read

    return _read(path)


def validate(submission: dict, **options):
    """Validate an in-memory canonical submission with the cached validator of its format.

    The submission gets the same harmless normalisation as a file read from disk (dates from
    ``yaml.safe_load`` become ISO strings, a revision id written as a number becomes text), so a dict
    loaded by the caller is judged exactly like the file it came from. The caller's object is
    never modified.
    """
    from report_kit.formats import revision_of
    from report_kit.readers.base import normalise
    from report_kit.validator import get_validator

    submission = normalise(submission)
    return get_validator(revision_of(submission)).validate(submission, **options)
