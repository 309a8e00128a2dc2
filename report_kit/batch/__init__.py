"""Batch review for the 政务公开办: validate a folder of submissions, check them against the
roster, aggregate the region's figures and write a review folder (workbook, JSON, HTML).

``run.run_batch`` is the library entry point; ``report-kit batch`` only wires options to it.
"""
