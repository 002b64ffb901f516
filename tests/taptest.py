# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny TAP producer so that Python checks report like the GLib tests."""
import sys
import traceback

_checks = []


def check(func):
    """Registers a check; it passes, fails by raising, or skips via Skip."""
    _checks.append(func)
    return func


class Skip(Exception):
    pass


def run():
    print(f"1..{len(_checks)}")
    failed = 0
    for number, func in enumerate(_checks, 1):
        name = func.__name__
        try:
            func()
        except Skip as skip:
            print(f"ok {number} {name} # SKIP {skip}")
        except Exception:  # noqa: BLE001 — any failure is reported, not raised
            failed += 1
            print(f"not ok {number} {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        else:
            print(f"ok {number} {name}")
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
