# Quick start: `make demo` serves the app with demo data; `make test` runs the whole test suite.
# Both bootstrap .venv first (a Python 3.12+, the pinned dependencies); bin/ holds the scripts.

.PHONY: demo stop test bootstrap lint format lock check

demo:
	bin/demo

stop:
	bin/stop

test:
	bin/test $(PYTEST_ARGS)

bootstrap:
	bin/bootstrap

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: bootstrap
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

check: bootstrap
	.venv/bin/python manage.py makemigrations --check --dry-run
	.venv/bin/python manage.py check

lock:
	bin/lock
