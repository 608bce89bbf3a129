"""matchmaker: wake dormant patents by matching them with SME needs."""
