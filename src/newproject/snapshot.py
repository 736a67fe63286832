"""Pristine renders kept in the project's own git history: the base `newproject update` merges from.

Every commit newproject makes from a pristine render (the first commit of `newproject new`,
the template commit of each `newproject update`) names its tree in the trailer
`Newproject-Snapshot: <tree>`. A commit whose tree is still that tree holds the template as
it rendered, so an update can merge from it even once the installed newproject no longer
ships that version of the template (where cruft fails).
"""

from __future__ import annotations

FIRST_COMMIT_SUBJECT = "Initial commit from newproject"
SNAPSHOT_TRAILER = "Newproject-Snapshot"
