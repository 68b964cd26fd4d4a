from kube_state_exporter.cli import main

main()
