"""The local stack: every daemon of the suite, a MariaDB, the Kubernetes API simulator with a demo workload,
an instrumented demo app, a real Prometheus with the suite's rules and a real Alertmanager whose Slack and
email receivers are local sinks. `make run` starts it; Ctrl-C stops it."""
