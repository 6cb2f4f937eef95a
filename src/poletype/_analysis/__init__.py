"""Analysis over verdicts: trajectories and hypotheses."""
