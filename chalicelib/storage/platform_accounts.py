"""Connections found by the platform's account id (a Facebook Page id, an Instagram account id).

Meta may report a Page removing the app with ``user_id: "0"`` and the Page's id as ``profile_id``
(platforms/meta.md §6.1, [C]). The connection item's gsi1 already serves lookups by the person's
app-scoped user id, so Meta connections also get a hand-kept lookup item in the connections table:

=======================  ======================================  ==============================
item                     pk                                      sk
=======================  ======================================  ==============================
account lookup           ACCOUNT#<platform>#<account id>         CONNECTION#<ws>#<connection>
=======================  ======================================  ==============================

Access pattern: the connections of one platform account (Query pk), for Meta's deauthorize and
data-deletion callbacks. It is written with the connection (same transaction, ``save_connection``),
kept while a removed app leaves the connection ``disconnected``, and deleted with the connection
(``delete_connection``, the privacy worker's purge).
"""

from __future__ import annotations

from typing import Final

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.connections import Connection
from chalicelib.domain.platforms import Platform
from chalicelib.storage.models import ConnectionsTable

# Only Meta reports removals by an account (a Page) rather than by a person.
LOOKED_UP_BY_ACCOUNT: Final = frozenset({Platform.FACEBOOK, Platform.INSTAGRAM})


class AccountLookupItem(ConnectionsTable):
    workspace_id = UnicodeAttribute()
    connection_id = UnicodeAttribute()


def account_lookup_key(
    platform: Platform, account_id: str, workspace_id: str, connection_id: str
) -> tuple[str, str]:
    return f"ACCOUNT#{platform.value}#{account_id}", f"CONNECTION#{workspace_id}#{connection_id}"


def account_lookup_item(connection: Connection) -> AccountLookupItem | None:
    """The lookup item to save with ``connection``; None for platforms that do not need one."""
    if connection.platform not in LOOKED_UP_BY_ACCOUNT:
        return None
    pk, sk = account_lookup_key(
        connection.platform, connection.account_id, connection.workspace_id, connection.id
    )
    return AccountLookupItem(pk, sk, workspace_id=connection.workspace_id, connection_id=connection.id)


def connections_of_account(platform: Platform, account_id: str) -> list[tuple[str, str]]:
    """(workspace id, connection id) of every connection of this platform account."""
    pk = f"ACCOUNT#{platform.value}#{account_id}"
    return [(item.workspace_id, item.connection_id) for item in AccountLookupItem.query(pk)]
