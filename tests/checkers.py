"""
Where the npm checkers live. They come from the committed package.json and package-lock.json,
installed by `npm ci` in `make test`; a missing checker fails the run, never skips it.
"""

from pathlib import Path

import pytest
from django.conf import settings

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def checker(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `npm ci` (make test does it).")
    return path
