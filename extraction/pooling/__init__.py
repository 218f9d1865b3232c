"""The pooling engine: effect sizes from a study's numbers, fixed- and random-effects pooling,
heterogeneity and subgroups, each result saying how it was derived. Pure numpy/scipy; the
figures agree with metafor 3.8-1 (tests/fixtures/reference/metafor_dev_reference.json).

Modules: effect_sizes (escalc's MD, SMD, log RR, log OR, RD), tau2 (the estimators),
heterogeneity (Q, I², H², tau²'s Q-profile CI), random_effects (the inverse-variance fit,
fixed or random, with its test and prediction intervals), mantel_haenszel, peto, subgroups
(RevMan's separate fits and test for subgroup differences), result (what a fit returns)."""
