"""Pristine renders kept in the project's own git history: the base `newproject update` merges from.

Every commit newproject makes from a pristine render (the first commit of `newproject new`,
the template commit of each `newproject update`) names its tree in the trailer
`Newproject-Snapshot: <tree>`. A commit whose tree is still that tree holds the template as
it rendered, so an update can merge from it even once the installed newproject no longer
ships that version of the template (where cruft fails).

A commit may hold files besides the render: the personalisation commit of a repository made
from a `newproject template-repo` keeps `.github/workflows/template-setup.yml`, which GitHub's
token may not delete. It names each such file in a `Newproject-Snapshot-Extra: <path>`
trailer, and its tree less those files must be the named tree. The update carries them into
its template commit unchanged (so the merge leaves them as the owner has them) and names them
there again.
"""

from __future__ import annotations

FIRST_COMMIT_SUBJECT = "Initial commit from newproject"
SNAPSHOT_TRAILER = "Newproject-Snapshot"
SNAPSHOT_EXTRA_TRAILER = "Newproject-Snapshot-Extra"
