"""Settings of the ANKASAM host project.

One module, configured from the environment: the defaults give a working development site on SQLite with no
set-up; production switches on with DJANGO_DEBUG=0 and the deployment's variables (see README, "Configuration").
"""
from .base import *  # noqa: F401,F403
