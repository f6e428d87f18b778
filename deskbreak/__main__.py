from deskbreak.cli import main

main()
