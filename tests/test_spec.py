"""Loading assignment specs, and the messages a broken spec gets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.scenario import Expect, Parallel, Send
from grader.spec import load_assignment

MINIMAL = """\
id: {id}
title: Tiny
summary: A tiny spec.
role: server
transport: tcp
languages:
  python: {{entry: server.py, run: "python3 server.py {{port}}"}}
tests:
  - name: one
    points: 5
    description: One echo.
    scenario:
      - connect: main
      - send: "hi\\n"
      - expect: "hi\\n"
"""


def write_spec(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "assignment.yaml").write_text(textwrap.dedent(text))
    return folder


def test_tcp_echo_loads_with_its_tests(tcp_echo: Path) -> None:
    loaded = load_assignment(tcp_echo)
    assert loaded.spec.id == "tcp-echo"
    assert loaded.spec.max_score == 100
    assert len(loaded.spec.tests) >= 10
    assert len(loaded.spec_hash) == 64


def test_steps_are_parsed_into_their_models(tmp_path: Path) -> None:
    loaded = load_assignment(write_spec(tmp_path, MINIMAL.format(id="tiny")))
    steps = loaded.spec.tests[0].scenario
    assert isinstance(steps[1], Send) and steps[1].send == "hi\n"
    assert isinstance(steps[2], Expect)


def test_nested_parallel_steps_are_validated(tmp_path: Path) -> None:
    text = MINIMAL.format(id="tiny").replace(
        "      - connect: main\n",
        "      - parallel: [{connect: main}, {send: x}]\n        clients: 3\n"
        "      - connect: main\n",
    )
    steps = load_assignment(write_spec(tmp_path, text)).spec.tests[0].scenario
    assert isinstance(steps[0], Parallel) and steps[0].clients == 3


def test_missing_spec_names_the_path_and_gives_a_tip(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_assignment(tmp_path / "nowhere")
    assert "nowhere" in str(info.value) and "tip" in str(info.value)


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    folder = write_spec(tmp_path, "id: tiny\ntitle: [unclosed\n")
    with pytest.raises(SpecError) as info:
        load_assignment(folder)
    assert "line 3" in str(info.value) or "line 2" in str(info.value), str(info.value)
    assert "not valid YAML" in str(info.value)


def test_each_field_error_is_one_line_with_its_path(tmp_path: Path) -> None:
    text = (
        MINIMAL.format(id="tiny")
        .replace("points: 5", "points: -1")
        .replace('      - send: "hi\\n"\n', '      - send: "hi\\n"\n        bogus: 1\n')
        .replace("role: server", "role: peer")
    )
    with pytest.raises(SpecError) as info:
        load_assignment(write_spec(tmp_path, text))
    lines = str(info.value).splitlines()
    assert len(lines) == 3, lines
    assert any("role: Input should be 'server' or 'client'" in line for line in lines), lines
    assert any("tests[one].points: Input should be greater than 0" in line for line in lines), lines
    assert any(
        "tests[one].scenario[1].send.bogus: Extra inputs are not permitted" in line
        for line in lines
    ), lines
    assert all(line.startswith(str(tmp_path)) for line in lines), lines


def test_a_step_without_action_key_says_which_keys_exist(tmp_path: Path) -> None:
    text = MINIMAL.format(id="tiny").replace('      - send: "hi\\n"', '      - sned: "hi\\n"')
    with pytest.raises(SpecError) as info:
        load_assignment(write_spec(tmp_path, text))
    assert "tests[one].scenario[1]: a step needs exactly one action key: connect, send" in str(
        info.value
    )


def test_duplicate_test_names_are_rejected(tmp_path: Path) -> None:
    spec = MINIMAL.format(id="tiny")
    tests = spec[spec.index("  - name: one") :]
    with pytest.raises(SpecError, match="test names must be unique; repeated: one"):
        load_assignment(write_spec(tmp_path, spec + tests))


def test_client_assignment_tests_must_start_the_program(tmp_path: Path) -> None:
    text = MINIMAL.format(id="tiny").replace("role: server", "role: client")
    with pytest.raises(SpecError, match="must start the program with a 'start' step"):
        load_assignment(write_spec(tmp_path, text))


def test_id_must_match_the_folder(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="differs from the folder name 'tiny'"):
        load_assignment(write_spec(tmp_path, MINIMAL.format(id="other")))


def test_files_folder_must_exist(tmp_path: Path) -> None:
    text = MINIMAL.format(id="tiny").replace("tests:", "files: pages\ntests:")
    with pytest.raises(SpecError, match="files: 'pages' is not a folder next to the spec"):
        load_assignment(write_spec(tmp_path, text))


@pytest.mark.parametrize(
    ("step", "where", "problem"),
    [
        ('      - expect_regex: "(unclosed"', "scenario[2].expect_regex", "/(unclosed/ is invalid"),
        (
            '      - expect_output: "[a-"\n        match: regex',
            "scenario[2].expect_output",
            "/[a-/ is invalid",
        ),
        (
            '      - expect_durations: "rtt (\\\\d+)"\n        expected: [{max: 1}]',
            "scenario[2].expect_durations.expect_durations",
            "needs a group named 'value'",
        ),
        (
            '      - expect_durations: "(?P<min>min) (?P<value>\\\\d+)"\n'
            "        expected: {min: {max: 1}, max: {min: 1}}",
            "scenario[2].expect_durations",
            "labelled entries max name no group of the pattern",
        ),
    ],
)
def test_an_invalid_regular_expression_is_a_spec_error(
    tmp_path: Path, step: str, where: str, problem: str
) -> None:
    """Found when the spec loads, not as a grader error in every student's report."""
    text = MINIMAL.format(id="tiny").replace('      - expect: "hi\\n"', step)
    with pytest.raises(SpecError) as info:
        load_assignment(write_spec(tmp_path, text))
    assert f"tests[one].{where}" in str(info.value) and problem in str(info.value), info.value


def test_placeholders_in_a_regular_expression_are_allowed(tmp_path: Path) -> None:
    text = MINIMAL.format(id="tiny").replace(
        '      - expect: "hi\\n"', '      - expect_regex: "client {client}: \\\\d{2}"'
    )
    assert load_assignment(write_spec(tmp_path, text)).spec.tests[0].scenario[2]
