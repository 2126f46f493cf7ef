"""Formats of the public identifiers the service accepts."""

import re

KVK_RE = re.compile(r"^[0-9]{8}$")
MUNICIPALITY_RE = re.compile(r"^GM[0-9]{4}$")
