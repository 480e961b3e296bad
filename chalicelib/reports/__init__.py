"""Reports: metric facts derived from ticket events, added into daily items, read back as summaries."""
