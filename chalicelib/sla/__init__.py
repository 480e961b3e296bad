"""SLA clocks: business-hours calendar arithmetic."""
