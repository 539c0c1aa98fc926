"""PostgreSQL: the grants that let the service's role use the database without owning it.

The migrations run as an owner role; ``insurable serve`` then connects as a role that owns nothing
and may not change, delete or truncate audit lines, nor drop or disable the triggers that guard
them (docs/security.md). :func:`grants` is the SQL; ``tests/service`` checks it on PostgreSQL.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grants(role: str, schema: str = "public") -> list[str]:
    """The statements to run as the schema's owner after each migration."""
    for name in (role, schema):
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a plain PostgreSQL identifier")
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}".audit_events FROM "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
    ]
