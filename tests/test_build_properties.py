"""For any valid submission, every cell of 表二/表三/表四 in the Word document and on the web
page shows the submission's value, at the row and column grid.py draws it."""

from __future__ import annotations

import io

import docx
from hypothesis import HealthCheck, given, settings
from test_build_docx import assert_tables_match as assert_docx_tables
from test_build_html import assert_tables_match as assert_html_tables
from test_build_html import parse

from report_kit.report_content import build_content
from report_kit.writers.report_docx import build_document
from report_kit.writers.report_html import render_html

from strategies import valid_submissions


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_submissions())
def test_every_table_cell_equals_the_submission_in_docx_and_html(submission):
    content = build_content(submission)
    assert not content.draft and content.of_kind("draft_mark") == []
    buffer = io.BytesIO()
    build_document(content).save(buffer)
    buffer.seek(0)
    assert_docx_tables(docx.Document(buffer), submission)
    assert_html_tables(parse(render_html(content)), submission)
