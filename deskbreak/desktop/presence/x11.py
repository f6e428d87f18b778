"""X11 presence through Xlib and the MIT-SCREEN-SAVER extension (libXss), by ctypes.

Both are looked at on demand only: the idle time (XScreenSaverQueryInfo) and whether the
active window is fullscreen (_NET_WM_STATE_FULLSCREEN in its _NET_WM_STATE). Each look opens
its own display connection and closes it again: a connection kept open would make Xlib end the
whole daemon (exit()) when the X server goes away. The libraries are loaded for the look and
unloaded after it: kept loaded they would cost the idle daemon about 1 MB of resident memory,
for a look every half hour.
"""

from __future__ import annotations

import _ctypes
import ctypes
import ctypes.util
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

_Display = ctypes.c_void_p
_Window = ctypes.c_ulong
_Atom = ctypes.c_ulong


class _ScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", _Window),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class X11Error(Exception):
    """No X display, no library, or no screen-saver extension; the message says which."""


@contextmanager
def _loaded() -> Iterator[tuple[ctypes.CDLL, ctypes.CDLL | None]]:
    """libX11 and libXss for one look; dlclose'd afterwards."""
    x11, xss = _libraries()
    try:
        yield x11, xss
    finally:
        for library in (xss, x11):
            if library is not None:
                _ctypes.dlclose(library._handle)


def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL | None]:
    x11_name = ctypes.util.find_library("X11")
    if x11_name is None:
        raise X11Error("libX11 is not installed")
    x11 = ctypes.CDLL(x11_name)
    x11.XOpenDisplay.restype = _Display
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XCloseDisplay.argtypes = [_Display]
    x11.XDefaultRootWindow.restype = _Window
    x11.XDefaultRootWindow.argtypes = [_Display]
    x11.XInternAtom.restype = _Atom
    x11.XInternAtom.argtypes = [_Display, ctypes.c_char_p, ctypes.c_int]
    x11.XGetWindowProperty.argtypes = [
        _Display, _Window, _Atom, ctypes.c_long, ctypes.c_long, ctypes.c_int, _Atom,
        ctypes.POINTER(_Atom), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p),
    ]  # fmt: skip
    x11.XFree.argtypes = [ctypes.c_void_p]
    xss_name = ctypes.util.find_library("Xss")
    xss = ctypes.CDLL(xss_name) if xss_name else None
    if xss is not None:
        xss.XScreenSaverQueryExtension.argtypes = [
            _Display,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_ScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = [_Display, _Window, ctypes.POINTER(_ScreenSaverInfo)]
    return x11, xss


@contextmanager
def _open(env: Mapping[str, str]) -> Iterator[tuple[ctypes.CDLL, ctypes.CDLL | None, int]]:
    """libX11, libXss (None when missing) and the display named by DISPLAY, for one look."""
    name = env.get("DISPLAY")
    # Checked before loading anything: no display is the answer to give, not a missing libX11.
    if not name:
        raise X11Error("no X display (DISPLAY is unset)")
    with _loaded() as (x11, xss):
        display = x11.XOpenDisplay(name.encode())
        if not display:
            raise X11Error(f"cannot open the X display {name}")
        try:
            yield x11, xss, display
        finally:
            x11.XCloseDisplay(display)


def idle_seconds(env: Mapping[str, str]) -> float:
    """Seconds since the last keyboard or mouse input on the X display."""
    with _open(env) as (x11, xss, display):
        if xss is None:
            raise X11Error("libXss is not installed (Debian/Ubuntu: apt install libxss1)")
        event, error = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(display, ctypes.byref(event), ctypes.byref(error)):
            raise X11Error("the X server has no MIT-SCREEN-SAVER extension")
        info = xss.XScreenSaverAllocInfo()
        try:
            xss.XScreenSaverQueryInfo(display, x11.XDefaultRootWindow(display), info)
            return float(info.contents.idle) / 1000.0
        finally:
            x11.XFree(info)


def _property(x11: ctypes.CDLL, display: int, window: int, name: bytes) -> list[int]:
    """A window's ATOM or WINDOW list property, as integers ([] when it has none)."""
    atom = x11.XInternAtom(display, name, 1)
    if not atom:
        return []
    kind, width = _Atom(), ctypes.c_int()
    count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
    status = x11.XGetWindowProperty(
        display, window, atom, 0, 64, 0, 0,  # AnyPropertyType
        ctypes.byref(kind), ctypes.byref(width), ctypes.byref(count), ctypes.byref(after),
        ctypes.byref(data),
    )  # fmt: skip
    if status != 0 or not data.value:
        return []
    try:
        if width.value != 32:
            return []
        # Xlib hands 32-bit items back as C longs.
        items = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))
        return [int(items[i]) for i in range(count.value)]
    finally:
        x11.XFree(data)


def active_window_fullscreen(env: Mapping[str, str]) -> bool:
    """Whether the window manager's active window is fullscreen (EWMH)."""
    with _open(env) as (x11, _, display):
        root = x11.XDefaultRootWindow(display)
        active = _property(x11, display, root, b"_NET_ACTIVE_WINDOW")
        if not active or not active[0]:
            return False
        fullscreen = x11.XInternAtom(display, b"_NET_WM_STATE_FULLSCREEN", 1)
        return bool(fullscreen) and fullscreen in _property(
            x11, display, active[0], b"_NET_WM_STATE"
        )
