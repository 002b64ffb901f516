#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What hospital IT installs: one application id everywhere, a minimal Flatpak
manifest, and a `meson install` that runs, in French and in English."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from taptest import check, run  # noqa: E402

ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("REL_BUILD_ROOT", os.path.join(ROOT, "_build"))
MANIFESTS = glob.glob(os.path.join(ROOT, "flatpak", "*.json"))
# What the sandbox may reach: a display, the GPU, and the network for an
# inference server; files come through the portal.
ALLOWED_FINISH_ARGS = {"--socket=wayland", "--socket=fallback-x11", "--share=ipc",
                       "--device=dri", "--share=network"}


def app_id():
    with open(os.path.join(BUILD, "config.h"), encoding="utf-8") as f:
        return re.search(r'#define APP_ID "([^"]+)"', f.read()).group(1)


def manifest():
    assert len(MANIFESTS) == 1, f"one manifest expected in flatpak/, found {MANIFESTS}"
    # flatpak-builder's own parser, as the build farm will read it.
    # It leaves a .flatpak-builder folder where it runs: not in the sources.
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(["flatpak-builder", "--show-manifest",
                                 os.path.abspath(MANIFESTS[0])],
                                capture_output=True, text=True, check=True, cwd=tmp)
    return json.loads(result.stdout)


@check
def flatpak_manifest_is_minimal():
    m = manifest()
    args = set(m.get("finish-args", []))
    assert args <= ALLOWED_FINISH_ARGS, f"finish-args beyond the minimum: {args - ALLOWED_FINISH_ARGS}"
    for needed in ("--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri"):
        assert needed in args, needed
    assert not any(a.startswith("--filesystem") for a in args)
    assert m["runtime"] == "org.gnome.Platform" and m["sdk"] == "org.gnome.Sdk"
    assert float(m["runtime-version"]) >= 47, m["runtime-version"]
    assert m["command"] == "relecture"
    assert m["modules"][-1]["buildsystem"] == "meson"
    for pattern in ("/include", "/lib/pkgconfig", "*.a", "*.la"):
        assert pattern in m["cleanup"], f"{pattern} not cleaned up"


@check
def one_application_id_everywhere():
    expected = app_id()
    data = os.path.join(ROOT, "data")
    assert manifest()["id"] == expected
    assert os.path.exists(os.path.join(data, expected + ".desktop.in"))
    with open(os.path.join(data, expected + ".desktop.in"), encoding="utf-8") as f:
        desktop = f.read()
    assert re.search(r"^Icon=" + re.escape(expected) + "$", desktop, re.M), "desktop Icon="
    categories = re.search(r"^Categories=(.*)$", desktop, re.M).group(1).split(";")
    assert "Office" in categories and "MedicalSoftware" in categories, categories
    mime = re.search(r"^MimeType=(.*)$", desktop, re.M).group(1).split(";")
    assert "text/plain" in mime and "application/pdf" in mime, mime
    metainfo = ET.parse(os.path.join(data, expected + ".metainfo.xml.in")).getroot()
    assert metainfo.findtext("id") == expected
    assert metainfo.findtext("launchable") == expected + ".desktop"
    schema = ET.parse(os.path.join(data, expected + ".gschema.xml")).getroot().find("schema")
    assert schema.get("id") == expected
    assert schema.get("path") == "/" + expected.replace(".", "/") + "/"
    assert os.path.exists(os.path.join(data, "icons/hicolor/scalable/apps", expected + ".svg"))
    assert os.path.exists(os.path.join(data, "icons/hicolor/symbolic/apps",
                                       expected + "-symbolic.svg"))
    # The D-Bus name is the application id the GtkApplication is given.
    with open(os.path.join(ROOT, "app", "rel-application.c"), encoding="utf-8") as f:
        assert re.search(r'"application-id",\s*APP_ID', f.read()), "GtkApplication id"
    # The metainfo shows a screenshot the UI test wrote.
    for image in metainfo.iter("image"):
        name = image.text.rsplit("/", 1)[-1]
        assert os.path.exists(os.path.join(data, "screenshots", name)), name


def installed_env(prefix, language):
    env = {k: v for k, v in os.environ.items()
           if k not in ("GSETTINGS_SCHEMA_DIR", "RELECTURE_LOCALEDIR", "LANGUAGE", "LC_ALL",
                        "LANG", "G_TEST_SRCDIR", "G_TEST_BUILDDIR")}
    env["XDG_DATA_DIRS"] = os.path.join(prefix, "share")
    env["GSETTINGS_BACKEND"] = "memory"
    env["LC_ALL"] = "C.UTF-8"
    if language:
        env["LANGUAGE"] = language
    return env


@check
def meson_install_runs_in_french_and_english():
    with tempfile.TemporaryDirectory(prefix="relecture-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        build = os.path.join(tmp, "build")
        # Its own build: the catalogs and schemas are looked for where the
        # prefix says, not in the build tree.
        subprocess.run(["meson", "setup", build, ROOT, "--prefix", prefix, "-Dbuildtype=plain"],
                       check=True, capture_output=True)
        subprocess.run(["meson", "compile", "-C", build], check=True, capture_output=True)
        subprocess.run(["meson", "install", "-C", build], check=True, capture_output=True)

        expected = app_id()
        share = os.path.join(prefix, "share")
        for path in (f"applications/{expected}.desktop", f"metainfo/{expected}.metainfo.xml",
                     f"icons/hicolor/scalable/apps/{expected}.svg",
                     f"icons/hicolor/symbolic/apps/{expected}-symbolic.svg",
                     "glib-2.0/schemas/gschemas.compiled",
                     "locale/fr/LC_MESSAGES/relecture.mo"):
            assert os.path.exists(os.path.join(share, path)), f"not installed: {path}"
        if shutil.which("desktop-file-validate"):
            result = subprocess.run(["desktop-file-validate",
                                     os.path.join(share, "applications", expected + ".desktop")],
                                    capture_output=True, text=True)
            # Hints (category advice) are advice; errors and warnings are not.
            assert result.returncode == 0, result.stdout
            assert "error:" not in result.stdout and "warning:" not in result.stdout, result.stdout

        cli = os.path.join(prefix, "bin", "relecture-cli")
        gui = os.path.join(prefix, "bin", "relecture")
        version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True,
                                 env=installed_env(prefix, None)).stdout
        assert version.startswith("relecture-cli "), version

        english = subprocess.run([cli, "--help"], capture_output=True, text=True, check=True,
                                 env=installed_env(prefix, None)).stdout
        french = subprocess.run([cli, "--help"], capture_output=True, text=True, check=True,
                                env=installed_env(prefix, "fr")).stdout
        assert "Analyze clinical reports" in english, english
        assert "Analyser des comptes rendus cliniques" in french, french

        english = subprocess.run([gui, "--help"], capture_output=True, text=True, check=True,
                                 env=installed_env(prefix, None)).stdout
        french = subprocess.run([gui, "--help"], capture_output=True, text=True, check=True,
                                env=installed_env(prefix, "fr")).stdout
        assert "Review clinical reports" in english, english
        assert "Relire les comptes rendus cliniques" in french, french

        # The compiled schema is found from the prefix alone.
        keys = subprocess.run(["gsettings", "list-keys", expected], capture_output=True,
                              text=True, check=True, env=installed_env(prefix, None)).stdout
        assert "user-name" in keys.split(), keys


run()
