"""talentbot: cited answers, eligibility checks and a complaint hotline for foreign talent.

The package is laid out by idea: knowledge and search answer questions, rules and assess check
eligibility, complaints runs the hotline queue, core holds the channel-free conversation, and
handlers/console are thin adapters for Telegram and the terminal.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
