"""The `deskbreak` command line: parse, call one function, render (text or JSON).

`app.py` holds the Typer app and its global options; each `commands_*` module registers one
group of commands on it. `quick.py` answers the plain command lines that people type most
(`start`, `status`, `schedule`) without building the Typer app at all, so this package's
`__init__` must stay free of Typer: importing any module here imports it first.
"""
