"""One screen per module: title, campaign, play, result, help."""
