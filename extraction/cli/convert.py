"""`metasift convert`: one arm's reported statistics as a mean and SD, with the method
(extraction.conversions)."""

from __future__ import annotations

import json

import click

from db.errors import MetasiftError
from extraction.conversions.derived import ConversionError, Derived
from extraction.conversions.medians import MEAN_METHODS, SD_METHODS, from_median
from extraction.conversions.spread import from_ci, from_se

# what each --from needs, and what it may take besides
NEEDS = {
    "median-iqr": ("median", "q1", "q3"),
    "median-range": ("median", "min", "max"),
    "median-iqr-range": ("median", "q1", "q3", "min", "max"),
    "mean-se": ("mean", "se"),
    "mean-ci": ("ci_low", "ci_high"),
}
MAY = {"mean-ci": ("mean", "level", "divisor"), "mean-se": ()}
MEDIAN_OPTIONS = ("mean_method", "sd_method")
NUMBERS = ("median", "q1", "q3", "min", "max", "mean", "se", "ci_low", "ci_high")


@click.command()
@click.option(
    "--from",
    "reported",
    type=click.Choice(list(NEEDS)),
    required=True,
    help="What the paper reports for the arm.",
)
@click.option("--n", type=int, required=True, help="The arm's number of participants.")
@click.option("--median", type=float)
@click.option("--q1", type=float, help="First quartile (25th percentile).")
@click.option("--q3", type=float, help="Third quartile (75th percentile).")
@click.option("--min", "min_", type=float, help="Smallest value (the range's low end).")
@click.option("--max", "max_", type=float, help="Largest value (the range's high end).")
@click.option("--mean", type=float)
@click.option("--se", type=float, help="Standard error of the mean.")
@click.option("--ci-low", type=float, help="The mean's confidence interval, low bound.")
@click.option("--ci-high", type=float, help="The mean's confidence interval, high bound.")
@click.option("--level", type=float, help="The CI's level.  [default: 0.95]")
@click.option(
    "--divisor",
    type=float,
    help="Divide the CI's width by this instead (3.92 reproduces the Handbook).",
)
@click.option(
    "--mean-method",
    type=click.Choice(MEAN_METHODS),
    help="Mean from a median: luo (Luo 2018) or wan (Hozo 2005/Wan 2014).  [default: luo]",
)
@click.option(
    "--sd-method",
    type=click.Choice(SD_METHODS),
    help="SD from a median: wan (Wan 2014), or shi (Shi 2020, IQR and range).  "
    "[default: shi with IQR and range, else wan]",
)
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: mean, sd, n, method, warning.")  # fmt: skip
def convert(reported: str, n: int, as_json: bool, **given: float | str | None) -> None:
    """Convert one arm's statistics, as a paper reports them, to the mean and SD that pooling
    needs, and say how (the method goes beside the value in every sheet).

    From a median: the mean by Luo et al. 2018, the SD by Wan et al. 2014 from the IQR or
    the range, by Shi et al. 2020 when all five numbers are given; a warning when Shi's
    skewness test (as in metafor's conv.fivenum) says the data look skewed. From an SE:
    SD = SE x sqrt(n). From a 95% CI: t with n - 1 degrees of freedom when n < 60, the exact
    normal quantile (1.959964) from 60 on (Cochrane Handbook 6.5.2.2).

    Impossible input (a quartile above the median, a CI's low bound not below its high one,
    n < 2, a negative SE) is refused with the option at fault, exit 1.

    Examples:

    \b
        metasift convert --from median-iqr --n 40 --median 31.5 --q1 28.1 --q3 36.2
        metasift convert --from mean-ci --n 25 --mean 32.4 --ci-low 30.1 --ci-high 34.7
        metasift convert --from mean-ci --n 25 --ci-low 30.1 --ci-high 34.7 --divisor 3.92 --json
    """
    values = {k.rstrip("_"): v for k, v in given.items()}
    _check_given(reported, values)
    try:
        derived = _derive(reported, n, values)
    except ConversionError as e:
        raise MetasiftError(f"--{e.field.replace('_', '-')}: {e}") from e
    if as_json:
        click.echo(json.dumps(derived.as_json(), indent=2))
        return
    click.echo(f"mean  {derived.mean:.6f}\nSD    {derived.sd:.6f}\nn     {derived.n}")
    click.echo(f"method: {derived.method}")
    if derived.warning:
        click.echo(f"warning: {derived.warning}", err=True)


def _check_given(reported: str, values: dict[str, float | str | None]) -> None:
    missing = [k for k in NEEDS[reported] if values[k] is None]
    if missing:
        names = ", ".join(f"--{k.replace('_', '-')}" for k in missing)
        raise click.UsageError(f"--from {reported} needs {names}")
    allowed = {*NEEDS[reported], *MAY.get(reported, MEDIAN_OPTIONS)}
    extra = [k for k, v in values.items() if v is not None and k not in allowed]
    if extra:
        names = ", ".join(f"--{k.replace('_', '-')}" for k in extra)
        raise click.UsageError(f"--from {reported} does not use {names}")
    if values.get("level") is not None and values.get("divisor") is not None:
        raise click.UsageError("--divisor stands for --level's quantile: give one or the other")


def _derive(reported: str, n: int, v: dict[str, float | str | None]) -> Derived:
    num = {k: float(x) if isinstance(x, float) else None for k, x in v.items() if k in NUMBERS}
    if reported == "mean-se":
        return from_se(n, _given(num["mean"]), _given(num["se"]))
    if reported == "mean-ci":
        level = float(v["level"]) if v["level"] is not None else 0.95
        divisor = float(v["divisor"]) if v["divisor"] is not None else None
        low, high = _given(num["ci_low"]), _given(num["ci_high"])
        return from_ci(n, num["mean"], low, high, level=level, divisor=divisor)
    return from_median(
        n, _given(num["median"]), q1=num["q1"], q3=num["q3"], low=num["min"], high=num["max"],
        mean_method=str(v["mean_method"] or "luo"),
        sd_method=str(v["sd_method"]) if v["sd_method"] else None,
    )  # fmt: skip


def _given(value: float | None) -> float:
    assert value is not None  # _check_given made sure
    return value


def register(group: click.Group) -> None:
    group.add_command(convert)
