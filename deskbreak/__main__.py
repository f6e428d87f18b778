from deskbreak.entry import main

main()
