"""`newproject recommend`: a few questions about the person, a ranked and explained choice of gap.

profiles.py    the role profiles data file (skills, level scale, roles, weights)
gaps.py        each gap's `[recommend]` table in its gap.toml
answers.py     the person's answers from a file, flags or the questionnaire, validated
score.py       the documented formula: ranking, reasons, suggested order
questions.py   the interactive questionnaire (arrow keys, via choose.py)
output.py      text and JSON
command.py     what the CLI command and the menu's "help me choose" entry run

Nothing here imports cookiecutter, Jinja or torch: the answer from a file stays fast.
"""
