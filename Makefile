# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL for the test suite; pytest-django creates and drops test_<name>.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/registry
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-core lint messages check-deploy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Run the registry on the embedded SQLite database with demo data at http://127.0.0.1:8000
run: install
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo --if-empty
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole test suite against PostgreSQL
test: install
	DJANGO_DEBUG=true DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

## The same suite on the embedded SQLite database (PostgreSQL-only tests skip)
test-sqlite: install
	DJANGO_DEBUG=true DATABASE_URL= $(BIN)/python -m pytest -m "not postgres_only" $(PYTEST_ARGS)

## The pure packages' tests without Django (mxnames, the matching core, the demo generator,
## the benchmark's evaluation generators and calibration)
test-core: install
	$(BIN)/python -m pytest -p no:django -p no:cacheprovider -W ignore::pytest.PytestConfigWarning \
		-q tests/mxnames tests/matching \
		tests/demo/test_synthetic.py tests/test_layers.py tests/bench

lint: install
	$(BIN)/ruff check .

## Production settings pass Django's deployment checks (a throwaway key, no secret)
check-deploy: install
	DJANGO_DEBUG=false \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=registro.example.org DATABASE_URL=$(TEST_DATABASE_URL) \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 REDIS_URL=redis://127.0.0.1:6379/0 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

messages: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=bench
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db
