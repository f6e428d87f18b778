"""X11 fullscreen for real under Xvfb: a window made the active one (_NET_ACTIVE_WINDOW on the
root, as a window manager sets it) with _NET_WM_STATE_FULLSCREEN in its _NET_WM_STATE. Xvfb
runs no window manager, so the test sets the two EWMH properties itself through Xlib."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import pytest

from deskbreak.desktop.presence import x11

XA_ATOM, XA_WINDOW, PROP_MODE_REPLACE = 4, 33, 0


def xlib() -> ctypes.CDLL:
    name = ctypes.util.find_library("X11")
    if name is None:
        pytest.skip("libX11 is not installed")
    lib = ctypes.CDLL(name)
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XDefaultRootWindow.restype = ctypes.c_ulong
    lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    lib.XCreateSimpleWindow.restype = ctypes.c_ulong
    lib.XCreateSimpleWindow.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulong,
    ]  # fmt: skip
    lib.XInternAtom.restype = ctypes.c_ulong
    lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.XChangeProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int,
        ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
    ]  # fmt: skip
    lib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return lib


def set_list(
    lib: ctypes.CDLL, display: int, window: int, name: bytes, kind: int, values: list[int]
) -> None:
    atom = lib.XInternAtom(display, name, 0)
    data = (ctypes.c_ulong * max(1, len(values)))(*values)
    lib.XChangeProperty(display, window, atom, kind, 32, PROP_MODE_REPLACE, data, len(values))
    lib.XSync(display, 0)


def test_the_active_window_in_fullscreen_is_seen_and_leaving_fullscreen_too(
    notify_server: dict[str, str],
) -> None:
    env = {**os.environ, **notify_server}
    lib = xlib()
    display = lib.XOpenDisplay(env["DISPLAY"].encode())
    assert display
    try:
        root = lib.XDefaultRootWindow(display)
        window = lib.XCreateSimpleWindow(display, root, 0, 0, 100, 100, 0, 0, 0)
        assert x11.active_window_fullscreen(env) is False  # no active window yet
        set_list(lib, display, root, b"_NET_ACTIVE_WINDOW", XA_WINDOW, [window])
        fullscreen = lib.XInternAtom(display, b"_NET_WM_STATE_FULLSCREEN", 0)
        set_list(lib, display, window, b"_NET_WM_STATE", XA_ATOM, [fullscreen])
        assert x11.active_window_fullscreen(env) is True
        set_list(lib, display, window, b"_NET_WM_STATE", XA_ATOM, [])
        assert x11.active_window_fullscreen(env) is False
    finally:
        lib.XCloseDisplay(display)
