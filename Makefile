.PHONY: run test bench lint image

run:   ## the local stack on embedded defaults; options through ARGS, e.g. make run ARGS=--ha
	scripts/run $(ARGS)

test:  ## every test tier; installs the virtualenv and the real servers it needs
	scripts/test

bench: ## benchmarks against the Go originals
	scripts/bench

lint:
	.venv/bin/ruff check .

image: ## the suite's container image (podman, base from Debian packages); prints the image reference last
	@scripts/image
