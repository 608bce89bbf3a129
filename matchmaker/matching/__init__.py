"""Two-way matching: need → patents and patent → needs, re-ranked with explanations."""
