from bulletin.cli import main

main(prog_name="bulletin")
