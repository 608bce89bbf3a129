"""IP custody (知识产权托管): service agencies keep SMEs' own patents alive — agreements,
annuity schedules, reminders, payments and the 1,000-SME indicator."""
