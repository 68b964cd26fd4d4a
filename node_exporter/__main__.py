from node_exporter.cli import main

main()
