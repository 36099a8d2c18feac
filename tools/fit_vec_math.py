"""Coefficients of src/cpu/vec_math_impl.h (run: .venv/bin/python tools/fit_vec_math.py; needs numpy only).

erf, |x| >= 0.84375: erf(z) = 1 - exp(-z^2) * R(z), R(z) = erfc(z) * exp(z^2), fitted on [0.84375, 4] by
weighted least squares on Chebyshev nodes as a degree-12 polynomial in u = z - 2.421875 (the interval
midpoint). Prints the worst error of erf in units of 2^-24 (ulp of values just below 1) after rounding the
coefficients to float. The small-|x| erf and tanh branches are Taylor series, printed here too.
"""
import math
from fractions import Fraction

import numpy as np

A, B, DEGREE = 0.84375, 4.0, 12
C = (A + B) / 2


def r_of(z):
    return np.array([math.erfc(v) * math.exp(v * v) for v in z])


def main():
    nodes = np.cos(np.pi * (np.arange(4000) + 0.5) / 4000) * (B - A) / 2 + C
    r = r_of(nodes)
    coef = np.polynomial.polynomial.polyfit(nodes - C, r, DEGREE, w=1 / r)
    coef32 = coef.astype(np.float32).astype(np.float64)
    z = np.linspace(A, B, 200001)
    err = np.max(np.abs(np.exp(-z * z) * (np.polynomial.polynomial.polyval(z - C, coef32) - r_of(z))))
    print(f"R(z), u = z - {C}: highest power first; max erf error {err / 2**-24:.3f} x 2^-24")
    print(", ".join(f"{float(np.float32(c)):.9e}f" for c in coef[::-1]))
    # erf(x) = x + x * (T(x^2) - 1), T the Taylor series of erf(x)/x (11 terms).
    t = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(11)]
    t[0] -= 1
    print("erf small, T(s) - 1, highest power first:")
    print(", ".join(f"{float(np.float32(c)):.9e}f" for c in t[::-1]))
    # tanh(x) = x + x^3 * S(x^2), S from the Taylor series of tanh (coefficients via Bernoulli numbers).
    s = [Fraction(-1, 3), Fraction(2, 15), Fraction(-17, 315), Fraction(62, 2835), Fraction(-1382, 155925),
         Fraction(21844, 6081075), Fraction(-929569, 638512875), Fraction(6404582, 10854718875),
         Fraction(-443861162, 1856156927625)]
    print("tanh small, S(s), highest power first:")
    print(", ".join(f"{float(np.float32(float(c))):.9e}f" for c in s[::-1]))


if __name__ == "__main__":
    main()
