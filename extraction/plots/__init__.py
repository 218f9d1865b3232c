"""Plots of a pooled analysis: the forest plot in RevMan's layout (forest_table holds what it
shows, forest draws it with matplotlib, terminal draws it as text) and the funnel plot."""
