"""Every number option refuses a bad value in one sentence that quotes what was typed and says what
range is accepted (the commands as a user runs them, in-process: `nmt-pressure ...` and the simulator)."""

from __future__ import annotations

import re

import pytest

from firmware_sim.__main__ import main as sim_main
from nmt_pressure.cli.main import main

#: (argv with the bad value last, the range the message must state)
CASES = [
    *[(["analyze", "x.csv", "--tolerance", v], "above 0 and below 1")
      for v in ("0", "-10%", "150%", "100%", "abc")],
    (["analyze", "x.csv", "--tolerance", "10"], "write 0.1 or 10%"),
    *[(["analyze", "x.csv", "--target", v], "above 0 and at most 1000000")
      for v in ("0", "-5", "1e9", "nan")],
    *[(["analyze", "x.csv", "--rate", v], "above 0 and at most 1000000") for v in ("0", "2e6", "fast")],
    (["report", "x.csv", "--out", "o", "--jobs", "0"], "whole number of 1 or more"),
    (["report", "x.csv", "--out", "o", "--tolerance", "0"], "above 0 and below 1"),
    (["monitor", "--port", "p", "--duration", "-1"], "seconds above 0"),
    (["monitor", "--port", "p", "--baud", "96OO"], "from 50 to 12000000"),
    (["monitor", "--port", "p", "--tolerance", "-10%"], "above 0 and below 1"),
    (["dash", "--sim", "--rate", "12.5"], "whole number of Hz from 1 to 4000"),
    (["dash", "--sim", "--rate", "5000"], "whole number of Hz from 1 to 4000"),
    (["dash", "--sim", "--seed", "x"], "a whole number"),
    (["dash", "--sim", "--sim-speed", "0"], "above 0 and at most 10000"),
    (["dash", "--window", "3"], "seconds from 5 to 60"),
    (["dash", "--goal", "500"], "seconds from 3 to 120"),
    (["dash", "--duration", "0"], "seconds above 0"),
    (["drill", "consistency", "--sim", "--rate", "0"], "whole number of Hz from 1 to 4000"),
    (["drill", "consistency", "--sim", "--timeout", "0"], "seconds above 0"),
    (["drill", "consistency", "--port", "p", "--baud", "0"], "from 50 to 12000000"),
    (["drill", "consistency", "--sim", "--seed", "1.5"], "a whole number"),
    (["history", "--card", "first"], "whole number of 1 or more"),
]
SIM_CASES = [
    (["--rate", "0"], "from 1 to 4000"),
    (["--seed", "x"], "a whole number"),
    (["--full-scale", "0"], "newtons above 0"),
    (["--noise", "-1"], "newtons of 0 or more"),
    (["--corrupt", "2"], "from 0 to 1"),
    (["--tcp", "70000"], "from 0 to 65535"),
    (["--speed", "0"], "above 0 and at most 10000"),
    (["--burst-ms", "0"], "ms above 0 and at most 1000"),
    (["--garbage-every", "0"], "seconds above 0"),
]


def one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("argv", "accepted"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_number_option_error_quotes_the_value_and_the_range(argv, accepted, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # dash: its options are checked, not the screen
    monkeypatch.setenv("NMT_PRESSURE_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    flag, typed = argv[-2], argv[-1]
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert flag in line and repr(typed) in line and accepted in line, line
    assert not re.search(r"\d\.0\b", line.split(repr(typed), 1)[1]), line  # "0", not "0.0": as typed


@pytest.mark.parametrize(("argv", "accepted"), SIM_CASES, ids=[" ".join(a) for a, _ in SIM_CASES])
def test_simulator_number_option_error_quotes_the_value_and_the_range(argv, accepted, capsys):
    flag, typed = argv
    assert sim_main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert flag in line and repr(typed) in line and accepted in line, line


def test_values_at_the_edges_of_the_ranges_are_taken(capsys, tmp_path):
    """The ranges say what they mean: the limits that are inside are accepted."""
    rec = tmp_path / "r.csv"
    rec.write_text("t_s,force_n\n" + "".join(f"{i / 100:.2f},{30.0 if 100 < i < 500 else 0.0}\n"
                                             for i in range(700)))
    for extra in (["--tolerance", "0.5%"], ["--tolerance", "99%"], ["--target", "1000000"],
                  ["--rate", "1000000"]):
        assert main(["analyze", str(rec), "--json", "-", *extra]) == 0, (extra, capsys.readouterr().err)
    capsys.readouterr()


def test_the_simulator_reads_whole_numbers_however_written():
    """--rate takes 1000.0 or 1e3 (a whole number written as a float); --clock-start-us takes hex."""
    from firmware_sim.__main__ import build_parser

    args = build_parser().parse_args(["--rate", "1e3", "--clock-start-us", "0xFFFF0000"])
    assert (args.rate, args.clock_start_us) == (1000, 0xFFFF0000) and type(args.rate) is int
