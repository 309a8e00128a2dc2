from report_kit.cli import main

main()
