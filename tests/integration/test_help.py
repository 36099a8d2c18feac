"""`hfbatch --help`, `hfbatch help [COMMAND]` and `hfbatch COMMAND --help`: help on stdout, exit 0."""
import pytest

from conftest import run

JOB_OPTIONS = {
    "classify": ["--model DIR", "--batch-tokens N", "--prediction-prefix P", "--dtype fp32|bf16|int8", "--shard K/N"],
    "embed": ["--model DIR", "--batch-tokens N", "--input-ids-column C", "--resume"],
    "tokenize": ["--tokenizer DIR", "--padding none|max_length", "--chunk-rows", "--shard K/N"],
    "inspect": ["--model DIR", "[--tokenizer DIR]", "[--dtype fp32|bf16|int8]"],
}


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["help"]])
def test_top_level_help_lists_every_command(argv):
    proc = run(*argv)
    assert proc.returncode == 0 and proc.stderr == ""
    for command in JOB_OPTIONS:
        assert f"hfbatch {command}" in proc.stdout


@pytest.mark.parametrize("command", sorted(JOB_OPTIONS))
@pytest.mark.parametrize("how", ["--help", "-h", "after-flags", "help-command"])
def test_command_help(command, how):
    argv = {"--help": [command, "--help"], "-h": [command, "-h"], "help-command": ["help", command],
            "after-flags": [command, "--model", "m", "--help"]}[how]
    proc = run(*argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "unknown option" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0] == "usage:" and lines[1].lstrip().startswith(f"hfbatch {command} "), proc.stdout
    for option in JOB_OPTIONS[command]:
        assert option in proc.stdout, f"{command} help lacks {option}:\n{proc.stdout}"
    others = [c for c in JOB_OPTIONS if c != command]
    assert not any(f"hfbatch {c} " in proc.stdout for c in others), f"{command} help shows other commands"
    if command == "tokenize":
        assert "--prediction-prefix" not in proc.stdout  # classify/embed only
    if command == "inspect":
        assert "distributed" not in proc.stdout and "--overwrite" not in proc.stdout


def test_help_for_an_unknown_command_is_an_error():
    proc = run("frobnicate", "--help", check=False)
    assert proc.returncode == 2 and "unknown command 'frobnicate'" in proc.stderr
    proc = run("help", "frobnicate", check=False)
    assert proc.returncode == 2 and "unknown command 'frobnicate'" in proc.stderr


def test_no_arguments_prints_usage_and_fails():
    proc = run(check=False)
    assert proc.returncode == 2 and "usage:" in proc.stdout
