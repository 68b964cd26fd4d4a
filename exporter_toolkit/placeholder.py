"""Entry points for daemons whose issues have not landed yet."""

import sys


def _not_yet(name: str) -> None:
    print(f"{name}: not yet implemented", file=sys.stderr)
    sys.exit(2)


def kube_state_main() -> None:
    _not_yet("kube-state-exporter")
