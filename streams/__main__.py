from copydesk.streams.cli import main

main()
