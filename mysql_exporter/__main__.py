from mysql_exporter.cli import main

main()
