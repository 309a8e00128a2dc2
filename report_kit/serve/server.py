"""Starting the service: links first (so 访问链接.csv exists before anyone can connect), the
workers warm, uvicorn bound to 127.0.0.1 unless told otherwise, and tokens kept out of logs."""

from __future__ import annotations

import logging
import re

from report_kit.serve import links as links_module

_TOKEN_IN_PATH = re.compile(r"/k/[^/\s\"]+")


def redact(text: str) -> str:
    """A request line without its secret: ``/k/<token>/api/…`` → ``/k/…/api/…``."""
    return _TOKEN_IN_PATH.sub("/k/…", text)


class RedactTokens(logging.Filter):
    """uvicorn's access log prints every path, and every path carries a secret token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_log_filter() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "report_kit.serve"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def prepare(service, roster) -> str:
    """Sync the roster, write 访问链接.csv, archive what a crash left; returns the office URL."""
    from report_kit.serve.archive_sync import catch_up

    links_module.sync_roster(service.store, roster)
    links_module.write_links_csv(service.store, service.config.root, service.config.base_url)
    catch_up(service)
    office = next(row for row in links_module.listed_links(service.store) if row["unit_id"] is None)
    return links_module.full_url(service.config.base_url, office["token"])


def log_config() -> dict:
    """uvicorn's logging, with the token filter attached to its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"redact": {"()": RedactTokens}}}
    config["handlers"] = {
        name: {**handler, "filters": ["redact"]} for name, handler in LOGGING_CONFIG["handlers"].items()
    }
    return config


def serve(app, host: str, port: int) -> None:
    import uvicorn

    install_log_filter()
    uvicorn.run(app, host=host, port=port, log_config=log_config(), server_header=False, proxy_headers=False)
