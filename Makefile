# Set-up and everyday commands. A fresh machine needs only Python 3.11+: `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test messages fixtures clean serve worker bench mutants

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: migrate the SQLite database, load the seed articles (first run only) and start the development server.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_site_fixtures
	@echo ""
	@echo "  ANKASAM is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## serve: production mode under gunicorn (2 workers; WEB_CONCURRENCY changes it). Set DJANGO_SECRET_KEY,
## DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL first (README, "Configuration" and "Production"); with
## DJANGO_TASKS_BACKEND=database run `make worker` beside it; several servers: docs/deploy.md.
serve: install
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=0 GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/python -m gunicorn --config ankasam_site/gunicorn_conf.py ankasam_site.wsgi:application

## worker: the task worker of `make serve` when DJANGO_TASKS_BACKEND=database: it runs the upkeep after editors'
## saves (other articles' Similar Posts, search entries, renditions, page-cache stamps; articles/tasks.py). Run one or
## more beside the app servers, with the same environment (docs/deploy.md). Without it set (the embedded default)
## saves do that work themselves and no worker is needed.
worker: install
	DJANGO_DEBUG=0 $(BIN)/python manage.py db_worker --queue-name '*'

## bench: the benchmark at its default size (100,000 articles) on SQLite and, when it answers, PostgreSQL.
bench: install
	$(BIN)/python manage.py bench --json bench-$$(date +%Y%m%d-%H%M%S).json

## test: the whole test suite (services or a browser that are absent make their tests skip, saying why).
test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

## mutants: mutation testing of the rule modules (publication, Similar Posts, footnotes, permissions, sanitising,
## stale edits, page cache), each against its own tests, in scratch copies; prints the share of mutants killed.
## RULES="footnotes sanitising" runs some of them. The figure and the survivors are in docs/testing.md.
mutants: install
	$(BIN)/python scripts/mutants.py $(RULES)

## messages: refresh the catalogues from the code and templates, then compile them all: locale/*.po, the
## project's (every string of the host and the apps: a host's LOCALE_PATHS outrank every app, so ANKASAM keeps its
## wording where Django's admin or taggit translate the same word otherwise), and each plugin app's own
## <app>/locale/*.po, which its wheel carries to other sites. An app's catalogues are made by django-admin inside
## its folder, without the project's settings, so that they hold its own strings only (locations by file: fewer
## conflicts when code moves), and what they lack is filled from the project's catalogue (msgmerge --compendium):
## a string is translated once, in locale/.
APP_LOCALES := $(wildcard */locale)
messages: install
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore '*/locale'
	for locale in $(APP_LOCALES); do \
		(cd $$(dirname $$locale) && env -u DJANGO_SETTINGS_MODULE $(CURDIR)/$(BIN)/django-admin makemessages \
			--all --no-obsolete --add-location=file) || exit 1; \
		for po in $$locale/*/LC_MESSAGES/django.po; do \
			language=$$(basename $$(dirname $$(dirname $$po))); \
			msgmerge --quiet --update --backup=off --no-fuzzy-matching \
				--compendium=locale/$$language/LC_MESSAGES/django.po $$po $$po || exit 1; \
		done; \
	done
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

## fixtures: rebuild fixtures/*.json from the seed exports and their translations in fixtures/texts/.
fixtures: install
	rm -f .fixtures-build.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/.fixtures-build.sqlite3 $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/.fixtures-build.sqlite3 $(BIN)/python manage.py build_site_fixtures
	rm -f .fixtures-build.sqlite3*

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
