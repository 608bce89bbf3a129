"""Demo data: real patents and needs from the shared corpus, attributed to labelled demo organizations."""
