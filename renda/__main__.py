from renda.cli import main

main()
