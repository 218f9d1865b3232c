"""Summary statistics as papers report them, turned into what pooling needs, with the method
named beside every derived value.

- ``derived``: the Derived value (mean, SD, n, the method in words) and ConversionError;
- ``medians``: the mean and SD from a median with its IQR, range or both (Luo 2018, Wan 2014,
  Shi 2020), and the skewness test that says when the normal assumption looks doubtful;
- ``spread``: the SD of a group from its SE or confidence interval, a pooled SD from the CI
  of a mean difference, and several subgroups combined into one arm (Cochrane Handbook 6.5.2).
"""
