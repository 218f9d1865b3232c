"""Brent's root finder exactly as R's uniroot runs it (R_zeroin2 in R's stats/src/zeroin.c,
itself netlib's zeroin). metafor finds tau²'s Q-profile bounds with uniroot at a loose
tolerance (eps^0.25); taking the same steps gives the same approximate root, which a
tighter solver would not."""

from __future__ import annotations

from collections.abc import Callable

EPSILON = 2.220446049250313e-16
UNIROOT_TOL = EPSILON**0.25  # uniroot's default, which confint.rma.uni keeps


def zeroin(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    tol: float = UNIROOT_TOL,
    maxiter: int = 1000,
) -> float:
    """A root of f in [lower, upper], whose ends have f of opposite signs."""
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            new_step = _interpolated(a, b, c, fa, fb, fc, prev_step, tol_act, new_step)
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _interpolated(
    a: float,
    b: float,
    c: float,
    fa: float,
    fb: float,
    fc: float,
    prev_step: float,
    tol_act: float,
    bisection: float,
) -> float:
    """Secant or inverse quadratic step, if it falls inside [b, c] and is not too large."""
    cb = c - b
    if a == c:
        t1 = fb / fa
        p, q = cb * t1, 1.0 - t1
    else:
        q, t1, t2 = fa / fc, fb / fc, fb / fa
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
        q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
    if p > 0:
        q = -q
    else:
        p = -p
    if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
        return p / q
    return bisection
