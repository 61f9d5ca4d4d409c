"""`python build.py [options]` does exactly what `bulletin build [options]` does."""

import sys

from bulletin.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]], prog_name="build.py")
