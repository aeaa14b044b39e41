"""Where the project's data lives: knowledge/, rules/, locales/ beside the package.

`TALENTBOT_HOME` points elsewhere (tests use it for broken-data fixtures).
"""

import os
from pathlib import Path

from bot import PROJECT_DIR


def home() -> Path:
    return Path(os.environ.get("TALENTBOT_HOME") or PROJECT_DIR)


def shown(path: Path) -> str:
    """A data file's path as problems name it: relative to the project ("knowledge/documents/x.yaml")."""
    try:
        return str(Path(path).relative_to(home()))
    except ValueError:
        return str(path)


def knowledge_dir() -> Path:
    return home() / "knowledge"


def rules_dir() -> Path:
    return home() / "rules"


def locales_dir() -> Path:
    return PROJECT_DIR / "locales"


def sources_dir() -> Path:
    """The shared source documents, beside the repository (only needed by `kb check`)."""
    return Path(os.environ.get("TALENTBOT_SOURCES") or PROJECT_DIR.parent / "shared" / "sources")
