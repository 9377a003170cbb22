"""The Textual game. Imported only when the game is started (never by the headless CLI)."""
