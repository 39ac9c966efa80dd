"""The third, fourth and fifth blind generators' command line (``tools/tool_args.generator_main``): a
user's error ends in one sentence and exit 2, nothing written. (The second generator's, whose
``--seed`` is optional, is tested beside it.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from toolmods import load_tool

GENERATORS = [("blind_generator3", "bg3"), ("blind_generator4", "bg4"), ("blind_generator5", "bg5")]


@pytest.mark.parametrize(("tool", "prefix"), GENERATORS)
@pytest.mark.parametrize(("args", "says"), [
    (["{file}/out", "--seed", "1"], "cannot write the sessions to"),
    (["{tmp}/out", "--seed", "1", "--sessions", "0"],
     "argument --sessions: must be a whole number of at least 1, not '0'"),
    (["{tmp}/out", "--seed", "1", "--sessions", "many"], "argument --sessions: must be a whole number"),
    (["{tmp}/out", "--seed", "-1"], "argument --seed: must be a whole number of at least 0"),
    (["{tmp}/out"], "required: --seed"),
    (["{tmp}/out", "--seed", "1", "--sesions", "2"], "unrecognized arguments: --sesions 2"),
    (["{tmp}/missing", "--seed", "1", "--check"], "is no folder"),
    (["{tmp}", "--seed", "1", "--check"], "holds no session of seed 1"),
    (["{tmp}/unreadable", "--seed", "1", "--check"], "cannot read the sessions in"),
    ([], "required: OUT, --seed"),
])
def test_a_users_error_ends_in_one_sentence_and_exit_2(tool: str, prefix: str, args: list[str], says: str,
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bg = load_tool(tool)
    (tmp_path / "file").write_text("not a folder")
    # A session whose labels cannot be read at all (here a folder in the file's place: the tests may
    # run as root, whom file modes do not stop).
    (tmp_path / "unreadable").mkdir()
    (tmp_path / "unreadable" / f"{prefix}_s1_000.csv").write_text("t,f\n")
    (tmp_path / "unreadable" / f"{prefix}_s1_000.labels.json").mkdir()
    argv = [a.format(tmp=tmp_path, file=tmp_path / "file") for a in args]
    assert bg.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and says in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
