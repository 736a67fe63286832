"""Claims in, verdicts out: claim files (schema, loading), the runs they need (plan, execute,
launchers, environment), the statistics and verdict rules, and the report (figures, REPORT.md)."""
