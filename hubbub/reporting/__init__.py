"""Reports built from Measure's figures: the branded PDF, and reports e-mailed on schedule."""
