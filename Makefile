# PolicyHub: `make run` serves the archive with sample notices on SQLite; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SAMPLE_DATA := documents/sample_data

.PHONY: run test install migrate sample-data superuser lint format clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

# Each folder of sample texts is named after the category its notices are filed under
# (uncategorized: none). Already imported notices are skipped, so this can run again.
sample-data: migrate
	@for dir in $(SAMPLE_DATA)/*/; do \
		name="$$(basename "$$dir")"; \
		if [ "$$name" = uncategorized ]; then set -- ; else set -- --category "$$name"; fi; \
		DJANGO_DEBUG=1 $(BIN)/python manage.py import_notices "$$dir" "$$@" || exit 1; \
	done

run: sample-data
	@echo "PolicyHub: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/ — create a login with 'make superuser')"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

superuser: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py createsuperuser

test: install
	$(BIN)/python -m pytest

# The 繁體 interface: re-extract the marked strings into locale/zh_Hant/LC_MESSAGES/django.po,
# then (after translating the new entries) compile django.mo; locale/zh_Hans holds only
# corrections of Django's and django-axes' 简体 strings, edited by hand. Both are committed, so only this
# needs gettext (apt-get install gettext); running the site does not.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hant --no-obsolete --ignore='node_modules/*' --ignore='staticfiles/*'
	$(BIN)/python manage.py compilemessages -l zh_Hant -l zh_Hans --ignore='$(VENV)/*' --ignore='node_modules/*'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
