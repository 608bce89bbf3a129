"""Enterprise profiles: size class, founding year, status, district; what the KPIs count."""
