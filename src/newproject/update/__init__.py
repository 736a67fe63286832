"""`newproject update`: bring today's template into an existing project by a three-way merge.

base   = the template the project records, rendered with the recorded answers (or its
         pristine snapshot in the project's history, `newproject.snapshot`);
theirs = today's template with the same answers (plus any `--set`);
ours   = the project as committed.

record.py reads the project's `.newproject.json`; git.py runs git; trees.py builds the
three trees in a scratch repository (nothing in the project is written); merge.py merges
them there; apply.py writes the result into the project, or nothing at all; command.py is
what the CLI calls.
"""
