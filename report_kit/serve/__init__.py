"""``report-kit serve``: the local web service where units upload and the office watches.

Modules: ``store`` (SQLite/PostgreSQL state), ``links`` (secret links, 访问链接.csv),
``worker`` (untrusted files read in limited worker processes), ``review`` (the live batch
review), ``views``/``office`` (what the pages show), ``app`` (the Starlette application),
``server`` (uvicorn, the log filter, start-up). See docs/serve.md.
"""
