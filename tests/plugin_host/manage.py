#!/usr/bin/env python
"""A second host of the plugin: an English and German site that installs it from its wheel."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publications_host.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
