"""Build the Cython signal core and CSV scanner; everything else about the package is in pyproject.toml.

* Cython missing is an error: it is in ``build-system.requires``, so pip's normal (isolated) build
  always has it, and its absence means a build set up by hand (``--no-build-isolation``) that would
  otherwise produce a wheel without any compiled code and say nothing.
* No working C compiler: the package installs with its pure-Python golden model (about 100x slower)
  and a warning. pip shows a successful build's output only with ``-v``, so the installed package says
  it too (a RuntimeWarning at import, ``nmt-pressure --version``).
* ``NMT_PRESSURE_REQUIRE_COMPILED=1`` turns that fallback into an error: ``make`` sets it, so a
  developer's venv never runs the golden model by accident (``make ... NMT_PRESSURE_REQUIRE_COMPILED=0``
  allows it).
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRE_ENV = "NMT_PRESSURE_REQUIRE_COMPILED"


def _compiled_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")


class OptionalBuildExt(build_ext):
    """Compile the core when a C compiler exists; otherwise warn (or fail, if required)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._fallback(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fallback(exc)

    @staticmethod
    def _fallback(exc: BaseException) -> None:
        why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"
        if _compiled_required():
            raise SystemExit(
                f"error: nmt_pressure's compiled core could not be built ({why}), and {REQUIRE_ENV} is set: "
                "install a C compiler and Python's headers (Debian/Ubuntu: `sudo apt install gcc "
                f"python3-dev`), or set {REQUIRE_ENV}=0 to install the pure-Python golden model (about "
                "100x slower)."
            ) from exc
        bar = "*" * 100
        print(
            f"{bar}\nWARNING: nmt_pressure's compiled core could not be built ({why}); installing the "
            "pure-Python golden model instead (about 100x slower). Install a C compiler and Python's "
            "headers (Debian/Ubuntu: `sudo apt install gcc python3-dev`) and reinstall for full speed; "
            f"set {REQUIRE_ENV}=1 to make this an error.\n{bar}",
            file=sys.stderr,
        )


def extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        raise SystemExit(
            "error: Cython is needed to build nmt_pressure's compiled core and is not installed in this "
            "build environment (a build with --no-build-isolation?): `pip install 'Cython>=3.0'` there, "
            "or build with pip's default build isolation, which installs it."
        ) from None
    # -g0: Python's CFLAGS carry -g, which would make each module four times larger for debug
    # information no user needs.
    exts = [
        Extension(
            "nmt_pressure._core",
            ["src/nmt_pressure/_core.pyx"],
            extra_compile_args=["-O3", "-g0", "-fno-math-errno", "-fno-trapping-math"],
        ),
        # The CSV scanner proves its roundings with exact (TwoSum/FMA) arithmetic: the compiler must
        # not fuse or reorder floating-point operations there.
        Extension(
            "nmt_pressure.io._csvscan",
            ["src/nmt_pressure/io/_csvscan.pyx"],
            extra_compile_args=["-O3", "-g0", "-fno-math-errno", "-ffp-contract=off"],
        ),
    ]
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
        },
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
