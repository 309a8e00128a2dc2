"""Writers: findings and submissions → text, JSON, CSV, workbooks, documents."""
