from __future__ import annotations

import subprocess
import sys

import click
import pytest
import typer

from deskbreak.cli.app import (
    COMMAND_MODULES,
    _command_name,
    _register_commands,
    app,
    listing_only,
)


def registered_commands() -> set[str]:
    _register_commands()
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    return set(group.commands)


def test_every_command_is_in_the_module_table_and_every_table_entry_exists() -> None:
    assert registered_commands() == set(COMMAND_MODULES)


def test_command_name_skips_global_options_and_their_values() -> None:
    assert _command_name(["--config", "x.toml", "status", "--json"]) == "status"
    assert _command_name(["-c", "x.toml", "config", "show"]) == "config"
    assert _command_name(["--version"]) is None
    assert _command_name([]) is None


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskbreak", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in COMMAND_MODULES:
        assert name in result.stdout


def help_text(typer_app: typer.Typer) -> str:
    group = typer.main.get_command(typer_app)
    return group.get_help(click.Context(group, info_name="deskbreak"))


def test_the_quick_command_listing_reads_exactly_like_the_full_apps_help() -> None:
    _register_commands()
    listing = help_text(listing_only(app))
    assert listing == help_text(app)
    assert "schedule  Print the reminders" in listing and "service   Run deskbreak" in listing


def test_the_listing_copy_leaves_the_app_able_to_run_its_commands() -> None:
    _register_commands()
    listing_only(app)
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    schedule = group.commands["schedule"]
    assert {param.name for param in schedule.params} >= {"on", "days", "as_json"}


def test_a_command_line_without_a_command_still_answers_as_before() -> None:
    bare = run()  # no words at all: the help, as a usage error (click's no_args_is_help)
    assert bare.returncode == 2 and "Commands:" in bare.stdout + bare.stderr
    missing = run("-c", "x.toml")
    assert missing.returncode == 2 and "Missing command" in missing.stderr


def test_version_prints_the_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("deskbreak ")


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    result = run("stauts")
    assert result.returncode == 2
    assert "No such command" in result.stderr and "Traceback" not in result.stderr


def test_control_command_without_daemon_says_so_in_one_line_with_exit_1() -> None:
    result = run("pause", "1h")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "not running" in result.stderr and "deskbreak start" in result.stderr


def test_click_is_pinned_below_9_which_drops_apis_typer_uses() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    [click] = [Requirement(r) for r in requires("deskbreak") or [] if r.startswith("click")]
    assert not click.specifier.contains("9.0")


def test_a_mistyped_command_gets_one_did_you_mean_and_exit_2() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "deskbreak", "stauts"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("Did you mean") == 1
    assert "'status'" in result.stderr


@pytest.mark.parametrize("name", sorted(COMMAND_MODULES))
def test_every_command_answers_its_own_help_when_only_its_module_is_loaded(name: str) -> None:
    result = run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: python -m deskbreak {name}" in result.stdout
