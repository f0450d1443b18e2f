"""Size limits and name rules for flow files, in one place so docs and checks agree.

The limits keep a broken or hostile file from slowing the bot down, and match what
Telegram accepts (a message holds at most 4,096 characters, a button label stays short).
"""

import re
from datetime import timedelta

from bot.engine import choices as engine_choices

MAX_FILE_BYTES = 512 * 1024
MAX_FLOWS = 200
MAX_STEPS = 2000
MAX_TEXT = 4096
MAX_LABEL = 64
# The engine holds buttons from a variable (`choices_from`) to the same limit.
MAX_CHOICES = engine_choices.MAX_CHOICES
MAX_INPUT_LENGTH = 4096
DEFAULT_INPUT_LENGTH = 1000

DEFAULT_EXPIRY = timedelta(hours=24)
MIN_EXPIRY = timedelta(minutes=1)
MAX_EXPIRY = timedelta(days=30)

MAX_NAME = 48

# Step ids, flow ids, action names, variable and parameter names.
ID_RE = re.compile(r"[a-z][a-z0-9_]{0,47}")
ID_RULE = "use a-z, 0-9 and _, start with a letter, at most 48 characters"

# Saved choice values go into Telegram's 64-byte callback data next to the step id. The
# engine checks values from a variable (`choices_from`) with the same rule.
VALUE_RE = engine_choices.VALUE_RE
VALUE_RULE = "use a-z, 0-9 and _, at most 48 characters"

COMMAND_RE = re.compile(r"/[a-z0-9_]{1,32}")
