"""Refresh the vendored caniemail data used by the ``client-support`` rule.

    .venv/bin/python scripts/refresh_caniemail.py            # the newest release on npm
    .venv/bin/python scripts/refresh_caniemail.py 2.0.2      # a given version

Downloads the ``caniemail`` npm package (the caniemail.com data set, MIT licence) from the npm
registry, keeps the fields the rule reads, and writes ``harness/rules/builtin/data/caniemail.json``
with its source, version and licence, plus ``caniemail.LICENSE``. Review the diff, run ``make test``,
commit.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org/caniemail"
OUT = Path(__file__).resolve().parents[1] / "harness" / "rules" / "builtin" / "data"
KEEP = ("slug", "title", "url", "category", "last_test_date", "stats", "notes_by_num")


def main(version: str | None = None) -> None:
    with urllib.request.urlopen(REGISTRY, timeout=60) as response:
        meta = json.load(response)
    version = version or meta["dist-tags"]["latest"]
    tarball = meta["versions"][version]["dist"]["tarball"]
    with urllib.request.urlopen(tarball, timeout=60) as response:
        archive = tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:gz")
    data = json.load(archive.extractfile("package/data/caniemail.json"))  # type: ignore[arg-type]
    licence = archive.extractfile("package/LICENSE").read().decode()  # type: ignore[union-attr]
    trimmed = {
        "source": f"npm caniemail {version} ({tarball})",
        "license": "MIT (see caniemail.LICENSE); data from caniemail.com",
        "api_version": data["api_version"],
        "last_update_date": data["last_update_date"],
        "nicenames": data["nicenames"],
        "data": [{k: feature.get(k) for k in KEEP} for feature in data["data"]],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "caniemail.json").write_text(json.dumps(trimmed, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUT / "caniemail.LICENSE").write_text(licence, encoding="utf-8")
    print(f"caniemail {version}, data of {data['last_update_date']}: {len(trimmed['data'])} features -> {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
