"""The command line's commands, one module each (``__main__`` maps a command to its
module and function). Only ``play`` opens the game; every other command is headless
and never imports Textual (tests/test_import_hygiene.py)."""
