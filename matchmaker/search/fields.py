"""The indexes' kinds and the field names queries use, shared by every backend.

Text fields receive text already analyzed by matchmaker.text (space-joined tokens), so the
index and the queries share one tokenizer whatever the engine.
"""
from __future__ import annotations

PATENT = "patent"
NEED = "need"
KINDS = (PATENT, NEED)

# Field boosts; title counts most (scripts/eval_search.py, scripts/eval_matching.py).
TITLE_BOOST = 3.0
CLAIMS_BOOST = 0.5
# Fields a free-text query looks in, per kind: words, and character bigrams (title, body).
TEXT_FIELDS = {PATENT: ("title", "abstract", "claims"), NEED: ("title", "abstract")}
CHAR_FIELDS = ("tchars", "bchars")
UNIGRAM_FIELD = "chars"
