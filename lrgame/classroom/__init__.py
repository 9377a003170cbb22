"""A live class: one server per challenge, its SQLite store, and the students' client.

``store`` keeps the class (students, their latest accepted result file, every
submission's answer, the feed); ``judge`` decides each submission with the grader
``lrgame grade`` uses; ``server`` is the aiohttp server; ``client`` is what
``lrgame join`` and ``lrgame submit`` use. None of them imports Textual.
"""
