"""Where the seed exports live, for tests that read them (beside the project, in ../shared/seeds)."""
from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_004_TITLE = "North Korea's Deployment of Troops to Russia and South Korea's Security Concerns"


def seed_files() -> list[Path]:
    files = sorted(SEEDS_DIR.glob("*.txt"))
    if not files:
        pytest.skip(f"the seed exports are not at {SEEDS_DIR}")
    return files


def seed(number: str) -> Path:
    return next(path for path in seed_files() if path.name.startswith(number))
