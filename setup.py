"""Build the Cython signal core; fall back to the pure-Python golden model if it cannot compile.

Everything else about the package lives in pyproject.toml.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Compile the core when a C compiler exists; otherwise warn and install the pure-Python model."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any build failure means "no compiled core"
            self._warn(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            self._warn(exc)

    @staticmethod
    def _warn(exc: BaseException) -> None:
        print(
            "WARNING: nmt_pressure's compiled core could not be built "
            f"({exc.__class__.__name__}: {exc}); installing the pure-Python golden model instead. "
            "Install a C compiler (e.g. `apt install gcc python3-dev`) and reinstall for full speed.",
            file=sys.stderr,
        )


def extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("WARNING: Cython is not available; installing the pure-Python core.", file=sys.stderr)
        return []
    exts = [
        Extension(
            "nmt_pressure._core",
            ["src/nmt_pressure/_core.pyx"],
            extra_compile_args=["-O3", "-fno-math-errno", "-fno-trapping-math"],
        ),
        # The CSV scanner proves its roundings with exact (TwoSum/FMA) arithmetic: the compiler must
        # not fuse or reorder floating-point operations there.
        Extension(
            "nmt_pressure._csvscan",
            ["src/nmt_pressure/_csvscan.pyx"],
            extra_compile_args=["-O3", "-fno-math-errno", "-ffp-contract=off"],
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
