"""Sub-commands of ``report-kit`` beyond ``check`` and ``rules``, one module each.

Each module defines a click command object named like the module (``template.template``).
Modules import their heavy dependencies inside the command, so start-up stays fast.
"""

COMMANDS = ("template", "build", "batch", "archive", "history", "plan", "serve", "import_report")
