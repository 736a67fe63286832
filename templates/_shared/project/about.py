"""What this project is and who made it, as data (from the answers given to newproject)."""

# fmt: off
PROJECT_NAME = {{ cookiecutter.project_name|py_str }}
DESCRIPTION = {{ cookiecutter.description|py_str }}
AUTHOR = {{ cookiecutter.author_name|py_str }}
AUTHOR_EMAIL = {{ cookiecutter.author_email|py_str }}
LICENSE = {{ cookiecutter.license|py_str }}
# fmt: on
