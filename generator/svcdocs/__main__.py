from svcdocs.cli import main

main()
