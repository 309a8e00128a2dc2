"""Work plans (政务公开工作要点) → the task ledger (分工台账) → each unit's report checked against it.

``read_plan`` reads a plan document into a ``Ledger`` (see ``docs/plan.md``); ``load_ledger``
reads a ledger JSON back. The coverage check of a report's 落实情况 lives in ``coverage``.
"""

from report_kit.plan.ledger import Ledger, PlanError, Task, load_ledger
from report_kit.plan.read import read_plan

__all__ = ["Ledger", "PlanError", "Task", "load_ledger", "read_plan"]
