.PHONY: run test bench lint

run:   ## the main job on embedded defaults (today: the node exporter on :9100)
	scripts/run

test:  ## every test tier; installs the virtualenv and the real servers it needs
	scripts/test

bench: ## benchmarks against the Go originals
	scripts/bench

lint:
	.venv/bin/ruff check .
