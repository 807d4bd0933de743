# Revision tutor: `make run` starts everything, `make test` checks everything. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY        := $(VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install index train web run cluster chat test test-fast lint eval bench eval-bot bench-bot bench-load eval-grading \
        eval-answers eval-misconceptions eval-typed clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  %-20s %s\n",$$1,$$2}'

$(VENV)/.installed: requirements/actions.txt pyproject.toml
	@test -x $(PY) || "$$(scripts/python311.sh)" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements/actions.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@test -x $(RASA_VENV)/bin/python || "$$(scripts/python310.sh)" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade pip
	$(RASA_VENV)/bin/python -m pip install -q -r requirements/rasa.txt
	@touch $@

install: $(VENV)/.installed $(RASA_VENV)/.installed ## Install both environments (only what is missing)

index: $(VENV)/.installed ## Build or refresh the knowledge index
	$(VENV)/bin/tutor index

train: $(RASA_VENV)/.installed ## Train the Rasa model if bot/ or data/ changed since the last training
	@scripts/train_if_changed.sh

# The chat page's client (web/src/) is bundled with its npm packages (web/package-lock.json) into
# web/dist by web/build.mjs (esbuild); `npm ci` runs only when the lock file changed.
WEB_STAMP := web/node_modules/.installed
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/tutor-chat.js: $(WEB_STAMP) web/build.mjs $(wildcard web/src/*)
	cd web && npm run --silent build

web: web/dist/tutor-chat.js ## Build the chat page's client from npm packages (npm ci only when the lock file changed)

run: install index train web ## Install, index, train if needed, start both servers and the chat page
	$(PY) scripts/run.py

cluster: install index train web ## HAProxy, 2 Rasa + 2 action servers on PostgreSQL and Redis, supervised (docs/deploy.md)
	scripts/ensure_haproxy.sh
	$(PY) scripts/cluster.py

chat: ## Chat in the terminal with the running tutor (start it with make run)
	$(PY) scripts/chat.py

lint: $(VENV)/.installed ## ruff
	$(VENV)/bin/ruff check actions tests scripts bot

test: install web ## Lint, then every test (engine, actions, Rasa, end-to-end, browser)
	$(VENV)/bin/ruff check actions tests scripts bot
	scripts/ensure_browser.sh
	$(VENV)/bin/python -m pytest -q

test-fast: $(VENV)/.installed ## Unit tests only (no servers)
	$(VENV)/bin/python -m pytest -q -m "not e2e"

eval: $(VENV)/.installed ## Retrieval evaluation on the development questions
	$(PY) scripts/eval_retrieval.py

bench: $(VENV)/.installed ## Index build and query latency; the tutors' report over 50,000 messages
	$(PY) scripts/bench_index.py
	$(PY) scripts/bench_report.py

eval-bot: $(VENV)/.installed ## Play the development cases against the running bot; NLU cross-validation
	$(PY) scripts/eval_bot.py

bench-bot: $(VENV)/.installed ## Question vs greeting turn latency against the running bot
	$(PY) scripts/bench_bot.py

bench-load: install index train web ## 50 learners at once (Locust) on make run, then make cluster: p50, p95, turns/s, trackers
	@if [ -f scripts/cluster.py ]; then scripts/ensure_haproxy.sh; fi
	$(PY) scripts/bench_load.py

eval-grading: $(VENV)/.installed ## Quiz grading agreement with labelled learner answers
	$(PY) scripts/eval_grading.py

eval-answers: $(VENV)/.installed ## Answers and follow-up scenarios on the engine alone, against plain retrieval
	$(PY) scripts/eval_answers.py

eval-misconceptions: $(VENV)/.installed ## Misconception detection: dev, held-out and k-fold figures
	$(PY) scripts/eval_misconceptions.py

eval-typed: $(VENV)/.installed ## Typed quiz answers judged fairly, against the running bot
	$(PY) scripts/eval_typed_answers.py

clean: ## Remove built artefacts (index, models, state), not the environments
	rm -rf .index models .state artifacts
