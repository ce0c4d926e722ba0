"""Run revplan from a checkout: ``python cli.py check plans/`` (same as the ``revplan`` command)."""

from engine.cli import main

if __name__ == "__main__":
    main()
